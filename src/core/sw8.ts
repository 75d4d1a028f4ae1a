import { decodeBase64, encodeBase64 } from './base64.js';
import { MAX_ID_LENGTH } from './ids.js';

/** The eight fields of an `sw8` header (Cross Process Propagation Headers Protocol v3). */
export interface Sw8 {
  /** Field 1: true when the caller samples (and so should we). */
  sampled: boolean;
  /** Field 2. */
  traceId: string;
  /** Field 3: the caller's segment id. */
  parentSegmentId: string;
  /** Field 4: the caller's span id (its exit span). */
  parentSpanId: number;
  /** Field 5. */
  parentService: string;
  /** Field 6. */
  parentServiceInstance: string;
  /** Field 7: the first entry span's name of the caller's segment. */
  parentEndpoint: string;
  /** Field 8: the address the caller used to reach us; equals its exit span's peer. */
  addressUsedAtClient: string;
}

// Service, instance, endpoint and peer repeat on every request: remember their Base64.
// Bounded: cleared when full, so high-cardinality input cannot grow it.
const memo = new Map<string, string>();
function b64(text: string): string {
  let v = memo.get(text);
  if (v === undefined) {
    if (memo.size >= 512) memo.clear();
    v = encodeBase64(text);
    memo.set(text, v);
  }
  return v;
}

// The same fields repeat on the receiving side (a caller's service, instance, endpoint,
// our own address): remember their valid decodings. Only valid values are kept, so
// junk headers cannot fill it; bounded like the encoder's.
const unmemo = new Map<string, string>();
function unb64(text: string): string | undefined {
  let v = unmemo.get(text);
  if (v === undefined) {
    v = decodeBase64(text);
    if (v === undefined) return undefined;
    if (unmemo.size >= 512) unmemo.clear();
    unmemo.set(text, v);
  }
  return v;
}

/** The header carrying the trace context (protocol.md §1.1). */
export const SW8 = 'sw8';
/** The header carrying correlation data (protocol.md §1.2). */
export const SW8_CORRELATION = 'sw8-correlation';
/** The header carrying the extension fields (protocol.md §1.3). */
export const SW8_X = 'sw8-x';
/** Every SkyWalking propagation header, lower case: what an injecting exit replaces. */
export const PROPAGATION_HEADERS: ReadonlySet<string> = new Set([SW8, SW8_CORRELATION, SW8_X]);

/** The propagation doc's limit for the whole header value. */
export const SW8_MAX_LENGTH = 2048;

/**
 * Encodes an sw8 value. Returns `undefined` (and the caller sends no header) when a string
 * field is empty, the span id is not a non-negative integer, or the value would reach 2 KB:
 * a downstream Java agent silently discards such a header anyway.
 */
export function encodeSw8(fields: Sw8): string | undefined {
  const f = fields;
  return sw8Value(f.sampled, f.parentSpanId, f.traceId, f.parentSegmentId, f.parentService, f.parentServiceInstance, f.parentEndpoint, f.addressUsedAtClient);
}

/**
 * @internal {@link encodeSw8} with its fields in header order (sampled, span id, then trace id,
 * segment id, service, instance, endpoint, peer): what a context calls on every injection,
 * without building the object (and without the bundle carrying its eight property names).
 */
export function sw8Value(sampled: boolean, parentSpanId: number, traceId: string, segmentId: string, service: string, instance: string, endpoint: string, peer: string): string | undefined {
  // `| 0` changes anything that is not an int32 (fractions, NaN, 2^31 and up).
  if (!(traceId && segmentId && service && instance && endpoint && peer) || (parentSpanId | 0) !== parentSpanId || parentSpanId < 0) return undefined;
  // One array joined, no closures: this runs on every injection. The trace and segment ids
  // change on every request; the rest repeat (memoised).
  const value = [+sampled, encodeBase64(traceId), encodeBase64(segmentId), parentSpanId, b64(service), b64(instance), b64(endpoint), b64(peer)].join('-');
  return value.length < SW8_MAX_LENGTH ? value : undefined;
}

// Positions of the dashes of the value being decoded, plus its end; reused because
// decoding is synchronous. Scanning with indexOf beats split('-') and its array.
const cuts = /* @__PURE__ */ new Int32Array(9);

/** Field `i` (0-based) of the value whose dashes are in `cuts`. */
function field(v: string, i: number): string {
  return v.slice(cuts[i]! + 1, cuts[i + 1]);
}

/** A canonical decimal int32 ≥ 0 (no sign, no leading zero, ≤ 2^31-1), else -1. */
function spanIdOf(s: string): number {
  const n = s.length;
  if (n === 0 || n > 10 || (n > 1 && s.charCodeAt(0) === 48)) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v > 0x7fffffff ? -1 : v;
}

/**
 * Decodes an sw8 value strictly: exactly 8 fields, sample flag `0` or `1`, a decimal span id
 * in int32 range, every string field valid padded Base64 of non-empty UTF-8, trace and
 * segment ids of at most 150 characters (OAP's storage limit), the whole value under 2 KB.
 * Anything else gives `undefined`: the caller starts a new trace. Never throws.
 */
export function decodeSw8(value: unknown): Sw8 | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  const n = v.length;
  if (n === 0 || n >= SW8_MAX_LENGTH) return undefined;
  cuts[0] = -1;
  for (let i = 1; i < 8; i++) {
    const d = v.indexOf('-', cuts[i - 1]! + 1);
    if (d < 0) return undefined;
    cuts[i] = d;
  }
  if (v.indexOf('-', cuts[7]! + 1) >= 0) return undefined;
  cuts[8] = n;
  // The flag is exactly one character, '0' or '1'.
  const flag = v.charCodeAt(0);
  if (cuts[1] !== 1 || (flag !== 48 && flag !== 49)) return undefined;
  const parentSpanId = spanIdOf(field(v, 3));
  // 150 UTF-16 units are at most 450 UTF-8 bytes, 600 Base64 characters: longer id fields
  // are refused before decoding them.
  if (parentSpanId < 0 || cuts[2]! - cuts[1]! > 601 || cuts[3]! - cuts[2]! > 601) return undefined;
  const traceId = decodeBase64(field(v, 1));
  const parentSegmentId = decodeBase64(field(v, 2));
  const parentService = unb64(field(v, 4));
  const parentServiceInstance = unb64(field(v, 5));
  const parentEndpoint = unb64(field(v, 6));
  const addressUsedAtClient = unb64(field(v, 7));
  if (!traceId || !parentSegmentId || !parentService || !parentServiceInstance || !parentEndpoint || !addressUsedAtClient)
    return undefined;
  if (traceId.length > MAX_ID_LENGTH || parentSegmentId.length > MAX_ID_LENGTH) return undefined;
  return {
    sampled: flag === 49,
    traceId,
    parentSegmentId,
    parentSpanId,
    parentService,
    parentServiceInstance,
    parentEndpoint,
    addressUsedAtClient,
  };
}

/** At most this many correlation keys travel (the Java agent's `element_max_number`). */
export const CORRELATION_MAX_KEYS = 3;
/** Longest correlation value, in UTF-16 characters (the Java agent's `value_max_length`). */
export const CORRELATION_MAX_VALUE_LENGTH = 128;

/**
 * Encodes `sw8-correlation`: `base64(key):base64(value)` joined by commas. Keeps the first
 * 3 entries with non-empty keys and values of at most 128 characters. Returns `undefined`
 * when nothing is left, so the header is sent only when it carries something.
 */
export function encodeCorrelation(entries: ReadonlyMap<string, string> | Record<string, string>): string | undefined {
  const list = entries instanceof Map ? [...entries] : Object.entries(entries);
  const out: string[] = [];
  for (const [k, v] of list) {
    if (out.length === CORRELATION_MAX_KEYS) break;
    if (!k || !v || v.length > CORRELATION_MAX_VALUE_LENGTH) continue;
    out.push(encodeBase64(k) + ':' + encodeBase64(v));
  }
  return out.length ? out.join(',') : undefined;
}

/**
 * Decodes `sw8-correlation` defensively: malformed elements are skipped, at most 3 keys
 * are kept, over-long values dropped. Never throws.
 */
export function decodeCorrelation(value: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof value !== 'string' || value.length === 0 || value.length > 4 * SW8_MAX_LENGTH) return out;
  for (const item of value.split(',')) {
    if (out.size === CORRELATION_MAX_KEYS) break;
    const pair = item.trim().split(':');
    if (pair.length !== 2) continue;
    const k = decodeBase64(pair[0]!);
    const v = decodeBase64(pair[1]!);
    if (!k || !v || v.length > CORRELATION_MAX_VALUE_LENGTH) continue;
    out.set(k, v);
  }
  return out;
}

/** The `sw8-x` extension header. */
export interface Sw8Extension {
  /** Tracing mode `1`: every span of the receiving context is reported with `skipAnalysis`. */
  skipAnalysis: boolean;
  /** Client send time in epoch ms, for `transmission.latency`. */
  sendTime?: number;
}

/** Encodes `sw8-x` as `<0|1>-<epoch ms>` (the second field empty when there is no time). */
export function encodeSw8x(ext: Sw8Extension): string {
  const t = Number.isFinite(ext.sendTime) ? String(Math.trunc(ext.sendTime!)) : '';
  return (ext.skipAnalysis ? '1' : '0') + '-' + t;
}

/** Decodes `sw8-x`; only an exact `1` turns skipAnalysis on, a bad time is ignored. Never throws. */
export function decodeSw8x(value: unknown): Sw8Extension | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) return undefined;
  const parts = value.split('-');
  const ext: Sw8Extension = { skipAnalysis: parts[0]?.trim() === '1' };
  const t = parts[1]?.trim();
  if (t && /^[0-9]{1,16}$/.test(t)) ext.sendTime = Number(t);
  return ext;
}
