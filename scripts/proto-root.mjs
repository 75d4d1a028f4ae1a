// The SkyWalking v3 protocol files in proto/, loaded by protobufjs: what the generators
// (gen-wire-tags.mjs, gen-proto-json.mjs) read the field layout from.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** The repository's root folder. */
export const ROOT = join(fileURLToPath(import.meta.url), '../..');

/** Every protocol file this package speaks. */
export const PROTO_FILES = [
  'common/Common.proto',
  'common/Command.proto',
  'language-agent/Tracing.proto',
  'language-agent/Meter.proto',
  'management/Management.proto',
  'logging/Logging.proto',
  'browser/BrowserPerf.proto',
];

/** A resolved protobufjs Root of `files` (default: all of them). */
export function loadProtoRoot(files = PROTO_FILES) {
  const pb = new protobuf.Root();
  pb.resolvePath = (_origin, target) => join(ROOT, 'proto', target);
  pb.loadSync(files);
  pb.resolveAll();
  return pb;
}
