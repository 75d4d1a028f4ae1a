// Cheap pre-decode scans: count a body's elements (JSON) or sub-messages (protobuf) and stop
// at the limit, so that refusing a body costs one pass over its bytes with no allocation,
// instead of materialising hundreds of thousands of objects first (a 1 MiB `[{},{},…]` is
// ~349k of them, ~300 ms of event loop to decode).

/** Counts a body may not exceed; each a most-elements bound. */
export interface ScanLimits {
  /** Most elements of the top-level array (segments per request, items per report). */
  topLevel: number;
  /** Most elements of any nested array (spans, refs, tags, logs…). */
  nested: number;
  /** Deepest nesting of arrays and objects. */
  depth: number;
  /** What the top-level elements are, for the message ("segments", "items"). */
  noun: string;
}

/** Why a scan refuses a body: 413 over a count, 400 for absurd structure. */
export interface ScanRefusal {
  status: 400 | 413;
  message: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Scans JSON bytes for arrays longer than the limits or nesting deeper than `limits.depth`.
 * It does not validate the JSON (the decoder does); it only tracks strings (with escapes),
 * brackets and commas, so malformed input costs the same one pass.
 */
export function scanJson(body: Uint8Array, limits: ScanLimits): ScanRefusal | undefined {
  // Per open container: its element count (-1 for an object) and whether a value is due.
  const counts = new Int32Array(limits.depth + 1);
  const due = new Uint8Array(limits.depth + 1);
  let depth = 0;
  const startValue = (): ScanRefusal | undefined => {
    if (depth === 0 || counts[depth - 1]! < 0 || !due[depth - 1]) return undefined;
    due[depth - 1] = 0;
    const n = ++counts[depth - 1]!;
    const max = depth === 1 ? limits.topLevel : limits.nested;
    if (n > max) return { status: 413, message: depth === 1 ? `at least ${n} ${limits.noun} in one request, over the limit of ${max}` : `an array of at least ${n} elements, over the limit of ${max}` };
    return undefined;
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    let refused: ScanRefusal | undefined;
    switch (c) {
      case QUOTE:
        refused = startValue();
        // Skip the string: a backslash escapes the next byte (which may be a quote).
        for (i++; i < body.length && body[i] !== QUOTE; i++) if (body[i] === BACKSLASH) i++;
        break;
      case 0x5b: // [
      case 0x7b: // {
        refused = startValue();
        if (refused) break;
        if (depth === limits.depth) return { status: 400, message: `JSON nested deeper than ${limits.depth} levels` };
        counts[depth] = c === 0x5b ? 0 : -1;
        due[depth] = c === 0x5b ? 1 : 0;
        depth++;
        break;
      case 0x5d: // ]
      case 0x7d: // }
        if (depth > 0) depth--;
        break;
      case 0x2c: // ,
        if (depth > 0 && counts[depth - 1]! >= 0) due[depth - 1] = 1;
        break;
      case 0x20:
      case 0x09:
      case 0x0a:
      case 0x0d:
      case 0x3a: // :
        break;
      default:
        // A number or literal: its first byte starts the value, the rest find nothing due.
        refused = startValue();
    }
    if (refused) return refused;
  }
  return undefined;
}

/** Count limits of a protobuf segment scan. */
export interface ProtoScanLimits {
  segments: number;
  spans: number;
  /** Most refs, tags or logs of one span, and data pairs of one log. */
  nested: number;
}

// Field numbers of skywalking.v3 (Tracing.proto): SegmentCollection.segments = 1,
// SegmentObject.spans = 3; SpanObject spanId = 1, parentSpanId = 2, refs = 5, componentId = 10,
// tags = 12, logs = 13; SegmentReference.parentSpanId = 4.
const SPAN_INT32: Record<number, string> = { 1: 'spanId', 2: 'parentSpanId', 10: 'componentId' };
const SPAN_LISTS: Record<number, string> = { 5: 'refs', 12: 'tags', 13: 'logs' };

/** A protobuf message that scanning found malformed or over a limit; the decoder reports malformed ones itself. */
class Stop {
  constructor(readonly refusal?: ScanRefusal) {}
}

/**
 * Scans `SegmentCollection` (or, with `single`, one `SegmentObject`) bytes: counts segments,
 * spans per segment and refs/tags/logs per span, stopping at the first count over a limit
 * (413), and checks that int32 fields hold 32-bit values (400 naming the field): a varint
 * that an int32 decoder would silently wrap.
 */
export function scanSegmentsProto(bytes: Uint8Array, limits: ProtoScanLimits, single = false): ScanRefusal | undefined {
  try {
    if (single) segment(bytes, 0, bytes.length, limits, 'segment');
    else {
      let n = 0;
      fields(bytes, 0, bytes.length, (field, wire, start, end) => {
        if (field !== 1 || wire !== 2) return;
        if (++n > limits.segments) throw new Stop({ status: 413, message: `at least ${n} segments in one request, over the limit of ${limits.segments}` });
        segment(bytes, start, end, limits, `segments[${n - 1}]`);
      });
    }
  } catch (err) {
    if (err instanceof Stop) return err.refusal;
    throw err;
  }
  return undefined;
}

function segment(b: Uint8Array, from: number, to: number, limits: ProtoScanLimits, path: string): void {
  let spans = 0;
  fields(b, from, to, (field, wire, start, end) => {
    if (field !== 3 || wire !== 2) return;
    if (++spans > limits.spans) throw new Stop({ status: 413, message: `${path} has at least ${spans} spans, over the limit of ${limits.spans}` });
    const at = `${path}.spans[${spans - 1}]`;
    const lists: Record<number, number> = {};
    fields(b, start, end, (f, w, s, e) => {
      const int32 = SPAN_INT32[f];
      if (int32 && w === 0 && !isInt32(b, s, e)) throw new Stop({ status: 400, message: `${at}.${int32}: must be a 32-bit integer` });
      const list = SPAN_LISTS[f];
      if (!list || w !== 2) return;
      lists[f] = (lists[f] ?? 0) + 1;
      if (lists[f]! > limits.nested) throw new Stop({ status: 413, message: `${at} has at least ${lists[f]} ${list}, over the limit of ${limits.nested}` });
      if (f === 5) {
        fields(b, s, e, (rf, rw, rs, re) => {
          if (rf === 4 && rw === 0 && !isInt32(b, rs, re)) throw new Stop({ status: 400, message: `${at}.refs[${lists[f]! - 1}].parentSpanId: must be a 32-bit integer` });
        });
      }
    });
  });
}

/**
 * Calls `each(field, wireType, start, end)` for each field of the message in `b[from, to)`;
 * `start, end` delimit a varint (wire type 0) or a length-delimited payload (2). Throws
 * {@link Stop} without a refusal on malformed bytes.
 */
function fields(b: Uint8Array, from: number, to: number, each: (field: number, wire: number, start: number, end: number) => void): void {
  let p = from;
  while (p < to) {
    const [tag, afterTag] = varint(b, p, to);
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    let start = afterTag;
    let end: number;
    if (wire === 0) {
      end = start;
      while (end < to && b[end]! & 0x80) end++;
      end++;
    } else if (wire === 2) {
      const [len, afterLen] = varint(b, afterTag, to);
      start = afterLen;
      end = start + len;
    } else if (wire === 1) end = start + 8;
    else if (wire === 5) end = start + 4;
    else throw new Stop();
    if (end > to || field === 0) throw new Stop();
    each(field, wire, start, end);
    p = end;
  }
}

// Lengths and tags: at most 5 bytes (32 bits) here.
function varint(b: Uint8Array, p: number, to: number): [number, number] {
  let v = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (p >= to) throw new Stop();
    const byte = b[p++]!;
    v += (byte & 0x7f) * 2 ** shift;
    if (!(byte & 0x80)) return [v, p];
  }
  throw new Stop();
}

/**
 * Whether the varint in `b[start, end)` is an int32: at most 31 bits, or a negative int32
 * sign-extended to ten bytes (bits 31…63 all set) as proto3 encodes it.
 */
function isInt32(b: Uint8Array, start: number, end: number): boolean {
  const n = end - start;
  if (n <= 4) return true;
  if (n === 5) return (b[start + 4]! & 0x7f) < 0x08;
  if (n !== 10) return false;
  if ((b[start + 4]! & 0x78) !== 0x78) return false;
  for (let i = 5; i < 9; i++) if ((b[start + i]! & 0x7f) !== 0x7f) return false;
  return b[start + 9] === 0x01;
}
