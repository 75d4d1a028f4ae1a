// Segments in protobuf (Tracing.proto) for gRPC-web, written from a table of their fields.
// The core's ProtoWriter codec is built for a server's throughput; this one for the script
// tag's bytes, and writes the same bytes (test/browser/pb.test.ts compares the two).
import { utf8 } from '../core/base64.js';
import { SPAN_LAYER_NUMBER, SPAN_TYPE_NUMBER, type SegmentObject } from '../core/segment.js';

// A message's fields, in field-number order from 1 (true of every message here): the
// property, and how it is written: 0 a varint (numbers, booleans), 1 a string, a table an
// enum (name → number), a list a nested message. Arrays are repeated fields. Zero, false
// and '' are proto3 defaults: not written.
type Field = [key: string, type: 0 | 1 | Record<string, number> | Field[]];

const KV: Field[] = [
  ['key', 1],
  ['value', 1],
];
const SPAN: Field[] = [
  ['spanId', 0],
  ['parentSpanId', 0],
  ['startTime', 0],
  ['endTime', 0],
  // Field 5, refs: a page's segments have none (it receives no requests), so the script tag
  // leaves their table out; the key no span has writes nothing.
  ['', 1],
  ['operationName', 1],
  ['peer', 1],
  ['spanType', SPAN_TYPE_NUMBER],
  ['spanLayer', SPAN_LAYER_NUMBER],
  ['componentId', 0],
  ['isError', 0],
  ['tags', KV],
  [
    'logs',
    [
      ['time', 0],
      ['data', KV],
    ],
  ],
  ['skipAnalysis', 0],
];
const SEGMENT: Field[] = [
  ['traceId', 1],
  ['traceSegmentId', 1],
  ['spans', SPAN],
  ['service', 1],
  ['serviceInstance', 1],
  ['isSizeLimited', 0],
];


// A varint; a negative number is an int32 (span ids): ten bytes of two's complement.
function varint(out: number[], v: number): void {
  if (v < 0) {
    for (let i = 0; i < 28; i += 7) out.push(((v >>> i) & 127) | 128);
    out.push((v >>> 28) | 240, 255, 255, 255, 255, 1);
    return;
  }
  for (; v > 127; v = Math.floor(v / 128)) out.push((v % 128) | 128);
  out.push(v);
}

// Length-delimited: a nested message, a string or bytes.
function put(out: number[], tag: number, bytes: ArrayLike<number>): void {
  out.push(tag);
  varint(out, bytes.length);
  for (let i = 0; i < bytes.length; i++) out.push(bytes[i]!);
}

function message(out: number[], fields: Field[], o: Record<string, unknown>): number[] {
  fields.forEach(([key, type], i) => {
    const tag = (i + 1) << 3;
    for (const v of ([] as unknown[]).concat(o[key])) {
      if (Array.isArray(type)) put(out, tag | 2, message([], type, v as Record<string, unknown>));
      else if (type === 1) {
        if (v) put(out, tag | 2, utf8.encode(v as string));
      } else {
        const n = type ? type[v as string]! : +(v as number);
        if (n) {
          out.push(tag);
          varint(out, n);
        }
      }
    }
  });
  return out;
}

/** A `SegmentObject` in protobuf, as the queue holds it. */
export const encodePb = (segment: SegmentObject): Uint8Array => new Uint8Array(message([], SEGMENT, segment as never));

/**
 * A `SegmentCollection` of segments already encoded, in one uncompressed gRPC-web data frame:
 * flag 0, a 4-byte big-endian length, the message.
 */
export function collectionFrame(segments: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = [0, 0, 0, 0, 0];
  for (const s of segments) put(out, 10, s);
  const body = new Uint8Array(out);
  new DataView(body.buffer).setUint32(1, out.length - 5);
  return body;
}
