import type { KeyStringValuePair, SegmentObject, SegmentReference, SpanObject } from '../segment.js';
import { REF_TYPE_NUMBER, SPAN_LAYER_NUMBER, SPAN_TYPE_NUMBER } from '../segment.js';
import { ProtoWriter } from './proto-writer.js';
import * as T from './wire-tags.js';

// One writer reused by every call: encoding is synchronous, and reuse avoids an
// allocation per segment on the traced path.
const shared = /* @__PURE__ */ new ProtoWriter(4096);

function pairs(w: ProtoWriter, key: number, list: readonly KeyStringValuePair[]): void {
  for (let i = 0; i < list.length; i++) {
    const kv = list[i]!;
    const start = w.open(key);
    w.string(T.KeyStringValuePair_key, kv.key);
    w.string(T.KeyStringValuePair_value, kv.value);
    w.join(start);
  }
}

function ref(w: ProtoWriter, r: SegmentReference): void {
  const start = w.open(T.SpanObject_refs);
  w.uint(T.SegmentReference_refType, REF_TYPE_NUMBER[r.refType] ?? 0);
  w.string(T.SegmentReference_traceId, r.traceId);
  w.string(T.SegmentReference_parentTraceSegmentId, r.parentTraceSegmentId);
  w.int32(T.SegmentReference_parentSpanId, r.parentSpanId);
  w.string(T.SegmentReference_parentService, r.parentService);
  w.string(T.SegmentReference_parentServiceInstance, r.parentServiceInstance);
  w.string(T.SegmentReference_parentEndpoint, r.parentEndpoint);
  w.string(T.SegmentReference_networkAddressUsedAtPeer, r.networkAddressUsedAtPeer);
  w.join(start);
}

function span(w: ProtoWriter, s: SpanObject): void {
  const start = w.open(T.SegmentObject_spans);
  w.int32(T.SpanObject_spanId, s.spanId);
  w.int32(T.SpanObject_parentSpanId, s.parentSpanId);
  w.uint(T.SpanObject_startTime, s.startTime);
  w.uint(T.SpanObject_endTime, s.endTime);
  for (let i = 0; i < s.refs.length; i++) ref(w, s.refs[i]!);
  w.string(T.SpanObject_operationName, s.operationName);
  w.string(T.SpanObject_peer, s.peer);
  w.uint(T.SpanObject_spanType, SPAN_TYPE_NUMBER[s.spanType] ?? 0);
  w.uint(T.SpanObject_spanLayer, SPAN_LAYER_NUMBER[s.spanLayer] ?? 0);
  w.int32(T.SpanObject_componentId, s.componentId);
  w.bool(T.SpanObject_isError, s.isError);
  pairs(w, T.SpanObject_tags, s.tags);
  for (let i = 0; i < s.logs.length; i++) {
    const log = s.logs[i]!;
    const ls = w.open(T.SpanObject_logs);
    w.uint(T.Log_time, log.time);
    pairs(w, T.Log_data, log.data);
    w.join(ls);
  }
  w.bool(T.SpanObject_skipAnalysis, s.skipAnalysis);
  w.join(start);
}

function segmentBody(w: ProtoWriter, seg: SegmentObject): void {
  w.string(T.SegmentObject_traceId, seg.traceId);
  w.string(T.SegmentObject_traceSegmentId, seg.traceSegmentId);
  for (let i = 0; i < seg.spans.length; i++) span(w, seg.spans[i]!);
  w.string(T.SegmentObject_service, seg.service);
  w.string(T.SegmentObject_serviceInstance, seg.serviceInstance);
  w.bool(T.SegmentObject_isSizeLimited, seg.isSizeLimited);
}

/**
 * Encodes a segment as `skywalking.v3.SegmentObject` protobuf bytes: a standalone array
 * (offset 0, exact length) that may be kept, or sent as its `.buffer`.
 */
export function encodeSegment(segment: SegmentObject): Uint8Array {
  return encodeSegmentWith(shared, segment);
}

/**
 * Encodes with a given writer, whose `finish()` decides where the bytes live (the Node
 * reporter's writer carves them out of shared slabs). @internal
 */
export function encodeSegmentWith(writer: ProtoWriter, segment: SegmentObject): Uint8Array {
  writer.reset();
  segmentBody(writer, segment);
  return writer.finish();
}

/**
 * Encodes a `skywalking.v3.SegmentCollection`, from segments or from bytes that
 * {@link encodeSegment} already produced (a queue of encoded segments needs no re-encoding).
 * The result is a standalone array, like {@link encodeSegment}'s.
 */
export function encodeSegmentCollection(segments: ReadonlyArray<SegmentObject | Uint8Array>): Uint8Array {
  const w = new ProtoWriter(1024);
  for (const s of segments) {
    if (s instanceof Uint8Array) {
      w.bytes(T.SegmentCollection_segments, s);
    } else {
      const start = w.open(T.SegmentCollection_segments);
      segmentBody(w, s);
      w.join(start);
    }
  }
  return w.finish();
}
