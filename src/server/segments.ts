import type { KeyStringValuePair, LogObject, RefType, SegmentObject, SegmentReference, SpanLayer, SpanObject, SpanType } from '../core/index.js';

/** Input that is not a segment; callers answer 400 / INVALID_ARGUMENT with its message. */
export class SegmentFormatError extends Error {
  override name = 'SegmentFormatError';
}

const SPAN_TYPES: SpanType[] = ['Entry', 'Exit', 'Local'];
const LAYERS: SpanLayer[] = ['Unknown', 'Database', 'RPCFramework', 'Http', 'MQ', 'Cache', 'FAAS', 'GenAI'];
const REF_TYPES: RefType[] = ['CrossProcess', 'CrossThread'];

const fail = (path: string, what: string): never => {
  throw new SegmentFormatError(`${path}: ${what}`);
};

function str(v: unknown, path: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  return fail(path, 'must be a string');
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

// proto3 JSON: integers may be numbers or decimal strings. Out-of-range values are refused
// by name rather than wrapped as a 32- or 64-bit decoder would (4294967303 read as 7).
function integer(v: unknown, path: string, min: number, max: number, range: string): number {
  if (v === undefined || v === null || v === '') return 0;
  const n = typeof v === 'string' && /^-?\d{1,20}$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) return fail(path, 'must be an integer');
  if (!Number.isSafeInteger(n) || n < min || n > max) return fail(path, `must be ${range}`);
  return n;
}

/** An int32 field (span ids, component id). */
const int32 = (v: unknown, path: string) => integer(v, path, INT32_MIN, INT32_MAX, 'a 32-bit integer');
/** An int64 time (epoch milliseconds): non-negative, and exact in a JavaScript number. */
const time = (v: unknown, path: string) => integer(v, path, 0, Number.MAX_SAFE_INTEGER, 'a non-negative integer below 2^53');

function bool(v: unknown, path: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  return fail(path, 'must be a boolean');
}

// proto3 JSON: enums by name or by number.
function enumOf<T extends string>(names: readonly T[], v: unknown, path: string): T {
  if (v === undefined || v === null) return names[0]!;
  if (typeof v === 'number' && names[v]) return names[v]!;
  if (typeof v === 'string' && (names as readonly string[]).includes(v)) return v as T;
  return fail(path, `must be one of ${names.join(', ')}`);
}

function list(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  return fail(path, 'must be an array');
}

function obj(v: unknown, path: string): Record<string, unknown> {
  if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  return fail(path, 'must be an object');
}

function pairs(v: unknown, path: string): KeyStringValuePair[] {
  return list(v, path).map((p, i) => {
    const o = obj(p, `${path}[${i}]`);
    return { key: str(o.key, `${path}[${i}].key`), value: str(o.value, `${path}[${i}].value`) };
  });
}

/**
 * Turns a decoded or posted segment (proto3 JSON: enum names or numbers, int64 as number or
 * string, absent fields defaulted, unknown keys ignored) into core's JSON form. Throws
 * {@link SegmentFormatError} for a wrong type.
 */
export function normaliseSegment(input: unknown, path = 'segment'): SegmentObject {
  const s = obj(input, path);
  const spans: SpanObject[] = list(s.spans, `${path}.spans`).map((raw, i) => {
    const p = `${path}.spans[${i}]`;
    const span = obj(raw, p);
    const refs: SegmentReference[] = list(span.refs, `${p}.refs`).map((r, j) => {
      const rp = `${p}.refs[${j}]`;
      const ref = obj(r, rp);
      return {
        refType: enumOf(REF_TYPES, ref.refType, `${rp}.refType`),
        traceId: str(ref.traceId, `${rp}.traceId`),
        parentTraceSegmentId: str(ref.parentTraceSegmentId, `${rp}.parentTraceSegmentId`),
        parentSpanId: int32(ref.parentSpanId, `${rp}.parentSpanId`),
        parentService: str(ref.parentService, `${rp}.parentService`),
        parentServiceInstance: str(ref.parentServiceInstance, `${rp}.parentServiceInstance`),
        parentEndpoint: str(ref.parentEndpoint, `${rp}.parentEndpoint`),
        networkAddressUsedAtPeer: str(ref.networkAddressUsedAtPeer, `${rp}.networkAddressUsedAtPeer`),
      };
    });
    const logs: LogObject[] = list(span.logs, `${p}.logs`).map((l, j) => {
      const log = obj(l, `${p}.logs[${j}]`);
      return { time: time(log.time, `${p}.logs[${j}].time`), data: pairs(log.data, `${p}.logs[${j}].data`) };
    });
    return {
      spanId: int32(span.spanId, `${p}.spanId`),
      parentSpanId: int32(span.parentSpanId, `${p}.parentSpanId`),
      startTime: time(span.startTime, `${p}.startTime`),
      endTime: time(span.endTime, `${p}.endTime`),
      refs,
      operationName: str(span.operationName, `${p}.operationName`),
      peer: str(span.peer, `${p}.peer`),
      spanType: enumOf(SPAN_TYPES, span.spanType, `${p}.spanType`),
      spanLayer: enumOf(LAYERS, span.spanLayer, `${p}.spanLayer`),
      componentId: int32(span.componentId, `${p}.componentId`),
      isError: bool(span.isError, `${p}.isError`),
      tags: pairs(span.tags, `${p}.tags`),
      logs,
      skipAnalysis: bool(span.skipAnalysis, `${p}.skipAnalysis`),
    };
  });
  return {
    traceId: str(s.traceId, `${path}.traceId`),
    traceSegmentId: str(s.traceSegmentId, `${path}.traceSegmentId`),
    spans,
    service: str(s.service, `${path}.service`),
    serviceInstance: str(s.serviceInstance, `${path}.serviceInstance`),
    isSizeLimited: bool(s.isSizeLimited, `${path}.isSizeLimited`),
  };
}

/**
 * Parses an OAP JSON body into segments in core's form. `shape` is what the endpoint takes:
 * `'array'` for `/v3/segments`, `'object'` for `/v3/segment`, `'any'` (default) for either.
 * Throws {@link SegmentFormatError} (answer 400) for invalid JSON or a wrong shape or type.
 */
export function parseSegmentsJson(text: string, shape: 'array' | 'object' | 'any' = 'any'): SegmentObject[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SegmentFormatError(`invalid JSON: ${(err as Error).message}`);
  }
  if (Array.isArray(value)) {
    if (shape === 'object') throw new SegmentFormatError('body must be one JSON segment object, not an array');
    return value.map((s, i) => normaliseSegment(s, `segments[${i}]`));
  }
  if (shape === 'array') throw new SegmentFormatError('body must be a JSON array of segments');
  return [normaliseSegment(value)];
}
