import type { KeyStringValuePair, SegmentObject, SegmentReference, SpanObject } from '../segment.js';
import { REF_TYPE_NUMBER, SPAN_LAYER_NUMBER, SPAN_TYPE_NUMBER } from '../segment.js';
import { ProtoWriter } from './proto-writer.js';
import { KeyStringValuePairTag as KV, LogTag, SegmentCollectionTag, SegmentObjectTag as SEG, SegmentReferenceTag as REF, SpanObjectTag as SPAN } from './wire-tags.js';

// One writer reused by every call: encoding is synchronous, and reuse avoids an
// allocation per segment on the traced path.
const shared = new ProtoWriter(4096);

function pairs(w: ProtoWriter, key: number, list: readonly KeyStringValuePair[]): void {
  for (let i = 0; i < list.length; i++) {
    const kv = list[i]!;
    const start = w.open(key);
    w.string(KV.key, kv.key);
    w.string(KV.value, kv.value);
    w.join(start);
  }
}

function ref(w: ProtoWriter, r: SegmentReference): void {
  const start = w.open(SPAN.refs);
  w.uint(REF.refType, REF_TYPE_NUMBER[r.refType] ?? 0);
  w.string(REF.traceId, r.traceId);
  w.string(REF.parentTraceSegmentId, r.parentTraceSegmentId);
  w.int32(REF.parentSpanId, r.parentSpanId);
  w.string(REF.parentService, r.parentService);
  w.string(REF.parentServiceInstance, r.parentServiceInstance);
  w.string(REF.parentEndpoint, r.parentEndpoint);
  w.string(REF.networkAddressUsedAtPeer, r.networkAddressUsedAtPeer);
  w.join(start);
}

function span(w: ProtoWriter, s: SpanObject): void {
  const start = w.open(SEG.spans);
  w.int32(SPAN.spanId, s.spanId);
  w.int32(SPAN.parentSpanId, s.parentSpanId);
  w.uint(SPAN.startTime, s.startTime);
  w.uint(SPAN.endTime, s.endTime);
  for (let i = 0; i < s.refs.length; i++) ref(w, s.refs[i]!);
  w.string(SPAN.operationName, s.operationName);
  w.string(SPAN.peer, s.peer);
  w.uint(SPAN.spanType, SPAN_TYPE_NUMBER[s.spanType] ?? 0);
  w.uint(SPAN.spanLayer, SPAN_LAYER_NUMBER[s.spanLayer] ?? 0);
  w.int32(SPAN.componentId, s.componentId);
  w.bool(SPAN.isError, s.isError);
  pairs(w, SPAN.tags, s.tags);
  for (let i = 0; i < s.logs.length; i++) {
    const log = s.logs[i]!;
    const ls = w.open(SPAN.logs);
    w.uint(LogTag.time, log.time);
    pairs(w, LogTag.data, log.data);
    w.join(ls);
  }
  w.bool(SPAN.skipAnalysis, s.skipAnalysis);
  w.join(start);
}

function segmentBody(w: ProtoWriter, seg: SegmentObject): void {
  w.string(SEG.traceId, seg.traceId);
  w.string(SEG.traceSegmentId, seg.traceSegmentId);
  for (let i = 0; i < seg.spans.length; i++) span(w, seg.spans[i]!);
  w.string(SEG.service, seg.service);
  w.string(SEG.serviceInstance, seg.serviceInstance);
  w.bool(SEG.isSizeLimited, seg.isSizeLimited);
}

/** Encodes a segment as `skywalking.v3.SegmentObject` protobuf bytes. */
export function encodeSegment(segment: SegmentObject): Uint8Array {
  shared.reset();
  segmentBody(shared, segment);
  return shared.finish();
}

/**
 * Encodes a `skywalking.v3.SegmentCollection`, from segments or from bytes that
 * {@link encodeSegment} already produced (a queue of encoded segments needs no re-encoding).
 */
export function encodeSegmentCollection(segments: ReadonlyArray<SegmentObject | Uint8Array>): Uint8Array {
  const w = new ProtoWriter(1024);
  for (const s of segments) {
    if (s instanceof Uint8Array) {
      w.bytes(SegmentCollectionTag.segments, s);
    } else {
      const start = w.open(SegmentCollectionTag.segments);
      segmentBody(w, s);
      w.join(start);
    }
  }
  return w.finish();
}
