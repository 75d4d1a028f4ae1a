// Types for proto-root.mjs, which the tests import too (test/helpers/proto.ts).
import type protobuf from 'protobufjs';

/** The repository's root folder. */
export declare const ROOT: string;
/** Every protocol file this package speaks, relative to proto/. */
export declare const PROTO_FILES: readonly string[];
/** A resolved protobufjs Root of `files` (default: all of them). */
export declare function loadProtoRoot(files?: readonly string[]): protobuf.Root;
