import { describe, expect, it } from 'vitest';
import { decodeSw8, InMemoryReporter, Tracer, encodeSegment } from '../../src/core/index.js';
import type { Extractable, Injectable } from '../../src/core/index.js';
import { decodeAs } from '../helpers/proto.js';

describe('the seed example', () => {
  it('numbers spans 0, 1, 2 and injects sw8 from the exit span', () => {
    const reporter = new InMemoryReporter();
    const tracer = new Tracer({ service: 'svc', serviceInstance: 'inst', reporter });
    const ctx = tracer.createTracingContext();
    const injected = new Map<string, string>();
    const extractable: Extractable = { extract: () => undefined };
    const injectable: Injectable = { inject: (k, v) => void injected.set(k, v) };

    const span1 = ctx.createEntrySpan('op1', null, extractable);
    const span2 = ctx.createLocalSpan('op2', span1);
    const span3 = ctx.createExitSpan('op3', span2, 'host:port', injectable);
    expect([span1.spanId, span2.spanId, span3.spanId]).toEqual([0, 1, 2]);
    expect([span1.parentSpanId, span2.parentSpanId, span3.parentSpanId]).toEqual([-1, 0, 1]);

    const sw8 = decodeSw8(injected.get('sw8'));
    expect(sw8).toEqual({
      sampled: true,
      traceId: ctx.traceId,
      parentSegmentId: ctx.segmentId,
      parentSpanId: 2,
      parentService: 'svc',
      parentServiceInstance: 'inst',
      parentEndpoint: 'op1',
      addressUsedAtClient: 'host:port',
    });
    span3.end();
    span2.end();
    expect(reporter.segments).toHaveLength(0);
    span1.end();
    expect(reporter.segments).toHaveLength(1);
    const decoded = decodeAs('SegmentObject', encodeSegment(reporter.segments[0]!));
    expect(decoded).toMatchObject({ traceId: ctx.traceId, service: 'svc', serviceInstance: 'inst' });
    expect((decoded.spans as unknown[]).length).toBe(3);
    expect(decoded.spans).toMatchObject([
      { spanId: 0, parentSpanId: -1, spanType: 'Entry', operationName: 'op1' },
      { spanId: 1, parentSpanId: 0, spanType: 'Local', operationName: 'op2' },
      { spanId: 2, parentSpanId: 1, spanType: 'Exit', operationName: 'op3', peer: 'host:port' },
    ]);
  });
});
