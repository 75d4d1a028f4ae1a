// fast-check arbitraries of the trace model, shared by the encoder tests: one place that
// knows every field of a segment, each test choosing the values that matter to it.
import fc from 'fast-check';
import type { KeyStringValuePair, SegmentObject, SegmentReference, SpanLayer, SpanObject, SpanType } from '../../src/core/index.js';

/** Every span layer, GenAI (newer than the proto snapshot) included. */
export const SPAN_LAYERS: readonly SpanLayer[] = ['Unknown', 'Database', 'RPCFramework', 'Http', 'MQ', 'Cache', 'FAAS', 'GenAI'];

/** The values a segment's fields are drawn from. */
export interface SegmentValues {
  /** Every string field but the operation name: ids, names, peer, tag and log texts. */
  text: fc.Arbitrary<string>;
  /** Span ids and parent span ids. */
  int32: fc.Arbitrary<number>;
  /** Start, end and log times. */
  time: fc.Arbitrary<number>;
  operationName: fc.Arbitrary<string>;
  componentId: fc.Arbitrary<number>;
  spanTypes: readonly SpanType[];
  refs: fc.Arbitrary<SegmentReference[]>;
  /** Most tags on a span. */
  maxTags: number;
}

/** Segments of up to 4 spans, each with up to `maxTags` tags and 2 logs of up to 3 pairs. */
export function segmentArbitrary(v: SegmentValues): fc.Arbitrary<SegmentObject> {
  const pair: fc.Arbitrary<KeyStringValuePair> = fc.record({ key: v.text, value: v.text });
  const span: fc.Arbitrary<SpanObject> = fc.record({
    spanId: v.int32,
    parentSpanId: v.int32,
    startTime: v.time,
    endTime: v.time,
    refs: v.refs,
    operationName: v.operationName,
    peer: v.text,
    spanType: fc.constantFrom(...v.spanTypes),
    spanLayer: fc.constantFrom(...SPAN_LAYERS),
    componentId: v.componentId,
    isError: fc.boolean(),
    tags: fc.array(pair, { maxLength: v.maxTags }),
    logs: fc.array(fc.record({ time: v.time, data: fc.array(pair, { maxLength: 3 }) }), { maxLength: 2 }),
    skipAnalysis: fc.boolean(),
  });
  return fc.record({
    traceId: v.text,
    traceSegmentId: v.text,
    spans: fc.array(span, { maxLength: 4 }),
    service: v.text,
    serviceInstance: v.text,
    isSizeLimited: fc.boolean(),
  });
}
