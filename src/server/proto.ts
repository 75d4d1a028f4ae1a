import { createRequire } from 'node:module';
import type * as protobufjs from 'protobufjs';
import type { INamespace, Root, Type } from 'protobufjs';
import type { KeyStringValuePair, SegmentObject } from '../core/index.js';
import { PROTO_DESCRIPTOR } from './proto-descriptor.js';
import { scanSegmentsProto } from './scan.js';
import { normaliseSegment, SegmentFormatError } from './segments.js';

let root: Root | undefined;

/**
 * The SkyWalking v3 protocol, loaded once. protobufjs is required here, on first use, not
 * when the module loads: an agent that never decodes (the Node agent without an ingest
 * handler or browser forwarding) never pays its ~9 MiB of RSS.
 */
export function protoRoot(): Root {
  if (!root) {
    // import.meta.url is empty where a bundler turned this into CommonJS: its own require then.
    const load = typeof import.meta.url === 'string' ? createRequire(import.meta.url) : require;
    const protobuf = load('protobufjs') as typeof protobufjs;
    root = protobuf.Root.fromJSON(PROTO_DESCRIPTOR as INamespace);
  }
  return root;
}

const types = new Map<string, Type>();

/** A message type of package `skywalking.v3`. */
export function protoType(name: string): Type {
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

// protobufjs reads an int32 field from a wider varint by keeping its low 32 bits
// (4294967303 becomes 7): check the raw varints first, so such input is refused by name.
const NO_COUNT_LIMIT = { segments: Infinity, spans: Infinity, nested: Infinity };
function checkInt32(bytes: Uint8Array, single: boolean): void {
  const refusal = scanSegmentsProto(bytes, NO_COUNT_LIMIT, single);
  if (refusal) throw new SegmentFormatError(refusal.message);
}

/** Decodes `SegmentObject` bytes into core's JSON form. Throws on malformed bytes and out-of-range integers. */
export function decodeSegmentObject(bytes: Uint8Array): SegmentObject {
  checkInt32(bytes, true);
  return normaliseSegment(decodeMessage('SegmentObject', bytes));
}

/** Decodes `SegmentCollection` bytes into core's JSON form. Throws on malformed bytes and out-of-range integers. */
export function decodeSegmentCollection(bytes: Uint8Array): SegmentObject[] {
  checkInt32(bytes, false);
  const list = decodeMessage('SegmentCollection', bytes).segments;
  return Array.isArray(list) ? list.map((s) => normaliseSegment(s)) : [];
}

/** An empty `Commands` message: what OAP answers to every trace, management and browser call. */
export const EMPTY_COMMANDS = new Uint8Array(0);

/** `Command`: a server-to-agent instruction (OAP sends e.g. profiling tasks); `args` as key/value pairs. */
export interface Command {
  command: string;
  args: KeyStringValuePair[];
}

/** Decodes a `Commands` response. Throws on malformed bytes. */
export function decodeCommands(bytes: Uint8Array): Command[] {
  return (decodeMessage('Commands', bytes).commands as Command[] | undefined) ?? [];
}

/** Encodes a `Commands` response; no commands gives the empty message OAP usually answers. */
export function encodeCommands(commands: Command[] = []): Uint8Array {
  return commands.length ? encodeMessage('Commands', { commands }) : EMPTY_COMMANDS;
}

/** `InstanceProperties` (ManagementService.reportInstanceProperties) or `InstancePingPkg` (keepAlive), decoded. */
export interface InstanceReport {
  service: string;
  serviceInstance: string;
  /** Empty for a keepAlive ping. */
  properties: KeyStringValuePair[];
  layer: string;
}

/** Decodes `InstanceProperties` bytes. Throws on malformed bytes. */
export function decodeInstanceProperties(bytes: Uint8Array): InstanceReport {
  return instanceReport(decodeMessage('InstanceProperties', bytes));
}

/** Decodes `InstancePingPkg` bytes (keepAlive). Throws on malformed bytes. */
export function decodeInstancePing(bytes: Uint8Array): InstanceReport {
  return instanceReport(decodeMessage('InstancePingPkg', bytes));
}

function instanceReport(m: Record<string, unknown>): InstanceReport {
  return {
    service: String(m.service ?? ''),
    serviceInstance: String(m.serviceInstance ?? ''),
    properties: (m.properties as KeyStringValuePair[] | undefined) ?? [],
    layer: String(m.layer ?? ''),
  };
}
