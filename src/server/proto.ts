import protobuf from 'protobufjs';
import type { SegmentObject } from '../core/index.js';
import { PROTO_DESCRIPTOR } from './proto-descriptor.js';
import { normaliseSegment } from './segments.js';

let root: protobuf.Root | undefined;

/** The SkyWalking v3 protocol, loaded once. */
export function protoRoot(): protobuf.Root {
  root ??= protobuf.Root.fromJSON(PROTO_DESCRIPTOR as protobuf.INamespace);
  return root;
}

const types = new Map<string, protobuf.Type>();

/** A message type of package `skywalking.v3`. */
export function protoType(name: string): protobuf.Type {
  let t = types.get(name);
  if (!t) {
    t = protoRoot().lookupType(`skywalking.v3.${name}`);
    types.set(name, t);
  }
  return t;
}

/** Decodes `skywalking.v3.<type>` bytes to a plain object: enums as names, int64 as numbers, defaults filled. Throws on malformed bytes. */
export function decodeMessage(type: string, bytes: Uint8Array): Record<string, unknown> {
  const t = protoType(type);
  return t.toObject(t.decode(bytes), { enums: String, longs: Number, defaults: true, arrays: true }) as Record<string, unknown>;
}

/** Encodes a plain object as `skywalking.v3.<type>` bytes. */
export function encodeMessage(type: string, value: Record<string, unknown>): Uint8Array {
  const t = protoType(type);
  return t.encode(t.fromObject(value)).finish();
}

/** Decodes `SegmentObject` bytes into core's JSON form. Throws on malformed bytes. */
export function decodeSegmentObject(bytes: Uint8Array): SegmentObject {
  return normaliseSegment(decodeMessage('SegmentObject', bytes));
}

/** Decodes `SegmentCollection` bytes into core's JSON form. Throws on malformed bytes. */
export function decodeSegmentCollection(bytes: Uint8Array): SegmentObject[] {
  const list = decodeMessage('SegmentCollection', bytes).segments;
  return Array.isArray(list) ? list.map((s) => normaliseSegment(s)) : [];
}

/** An empty `Commands` message: what OAP answers to every trace, management and browser call. */
export const EMPTY_COMMANDS = new Uint8Array(0);
