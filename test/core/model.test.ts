import { describe, expect, it } from 'vitest';
import {
  BatchReporter,
  encodeSegment,
  encodeSegmentCollection,
  InMemoryReporter,
  RateLimitingSampler,
  recordCarrier,
  setDiagLogger,
  Tracer,
  TransportError,
} from '../../src/core/index.js';
import { ReportQueue } from '../../src/core/report-queue.js';
import type { SegmentObject, SpanLayer } from '../../src/core/index.js';
import { decodeAs, protoRoot } from '../helpers/proto.js';

function fixture(opts: Partial<ConstructorParameters<typeof Tracer>[0]> = {}) {
  let t = 1_700_000_000_000;
  let id = 0;
  const reporter = new InMemoryReporter();
  const tracer = new Tracer({
    service: 'svc',
    serviceInstance: 'inst',
    reporter,
    clock: { now: () => (t += 5) },
    idGenerator: { next: () => `id-${++id}` },
    ...opts,
  });
  return { tracer, reporter };
}

describe('tracing model', () => {
  it('reports a whole, exactly predictable segment', () => {
    const { tracer, reporter } = fixture();
    const ctx = tracer.createTracingContext();
    const e = ctx.createEntrySpan('GET:/a');
    e.setComponent(49).setLayer('Http').tag('http.method', 'GET');
    const x = ctx.createExitSpan('/b', undefined, 'b:80');
    x.error(new Error('boom'));
    x.end();
    e.end();
    const seg = reporter.segments[0]!;
    expect(seg).toEqual({
      traceId: 'id-1',
      traceSegmentId: 'id-2',
      service: 'svc',
      serviceInstance: 'inst',
      isSizeLimited: false,
      spans: [
        { spanId: 0, parentSpanId: -1, startTime: 1_700_000_000_005, endTime: 1_700_000_000_025, refs: [], operationName: 'GET:/a', peer: '', spanType: 'Entry', spanLayer: 'Http', componentId: 49, isError: false, tags: [{ key: 'http.method', value: 'GET' }], logs: [], skipAnalysis: false },
        {
          spanId: 1, parentSpanId: 0, startTime: 1_700_000_000_010, endTime: 1_700_000_000_020, refs: [], operationName: '/b', peer: 'b:80', spanType: 'Exit', spanLayer: 'Unknown', componentId: 0, isError: true, tags: [], skipAnalysis: false,
          logs: [{ time: 1_700_000_000_015, data: expect.arrayContaining([{ key: 'event', value: 'error' }, { key: 'error.kind', value: 'Error' }, { key: 'message', value: 'boom' }]) }],
        },
      ],
    });
  });

  it('survives out-of-order ends, double ends, late spans and exit spans without a peer', () => {
    const { tracer, reporter } = fixture();
    const ctx = tracer.createTracingContext();
    const a = ctx.createEntrySpan('a');
    const b = ctx.createLocalSpan('b');
    const headers: Record<string, string> = {};
    const c = ctx.createExitSpan('c', b, '', recordCarrier(headers));
    expect(headers).toEqual({});
    a.end(); // the parent first
    expect(reporter.segments).toHaveLength(0);
    b.end();
    b.end();
    c.end();
    expect(reporter.segments).toHaveLength(1);
    const late = ctx.createLocalSpan('late');
    expect(late.isRecording).toBe(false);
    late.tag('k', 'v').end();
    expect(reporter.segments).toHaveLength(1);
    expect(reporter.segments[0]!.spans.map((s) => s.parentSpanId)).toEqual([-1, 0, 1]);
  });

  it('continues an incoming trace, honours sample flag 0, carries correlation and sw8-x', () => {
    const { tracer, reporter } = fixture();
    const up = tracer.createTracingContext();
    const upEntry = up.createEntrySpan('GET:/up');
    up.setCorrelation('tenant', 't1');
    up.setSkipAnalysis();
    const headers: Record<string, string> = {};
    const exit = up.createExitSpan('/down', upEntry, 'down:80', recordCarrier(headers));
    expect(Object.keys(headers).sort()).toEqual(['sw8', 'sw8-correlation', 'sw8-x']);

    const down = tracer.createTracingContext();
    const entry = down.createEntrySpan('GET:/down', null, recordCarrier(headers));
    expect(down.traceId).toBe(up.traceId);
    expect(down.correlation.get('tenant')).toBe('t1');
    entry.end();
    exit.end();
    upEntry.end();
    const seg = reporter.segments.find((s) => s.spans[0]!.operationName === 'GET:/down')!;
    expect(seg.spans[0]!.refs[0]).toMatchObject({ refType: 'CrossProcess', parentSpanId: exit.spanId, parentEndpoint: 'GET:/up', networkAddressUsedAtPeer: 'down:80' });
    expect(seg.spans[0]!.skipAnalysis).toBe(true);

    const unsampled = { ...headers, sw8: '0' + headers.sw8!.slice(1) };
    const ctx = tracer.createTracingContext();
    const e = ctx.createEntrySpan('GET:/quiet', null, recordCarrier(unsampled));
    const out: Record<string, string> = {};
    ctx.createExitSpan('/next', e, 'n:1', recordCarrier(out)).end();
    e.end();
    expect(out.sw8!.startsWith('0-')).toBe(true);
    expect(reporter.segments.some((s) => s.spans[0]!.operationName === 'GET:/quiet')).toBe(false);
    expect(tracer.stats.unsampledSegments).toBe(1);
  });

  it('links captured work with a CrossThread reference', () => {
    const { tracer, reporter } = fixture();
    const ctx = tracer.createTracingContext();
    const e = ctx.createEntrySpan('GET:/job');
    const snap = ctx.capture();
    e.end();
    const worker = tracer.createTracingContext();
    worker.continued(snap);
    worker.createLocalSpan('async-work').end();
    const seg = reporter.segments[1]!;
    expect(seg.traceId).toBe(ctx.traceId);
    expect(seg.spans[0]!.refs).toEqual([
      { refType: 'CrossThread', traceId: ctx.traceId, parentTraceSegmentId: ctx.segmentId, parentSpanId: 0, parentService: 'svc', parentServiceInstance: 'inst', parentEndpoint: 'GET:/job', networkAddressUsedAtPeer: '' },
    ]);
  });

  it('bounds spans, tags, logs and values, and counts what it drops', () => {
    const { tracer, reporter } = fixture({ limits: { maxSpansPerSegment: 3, maxTagsPerSpan: 2, maxTagValueLength: 4 } });
    const ctx = tracer.createTracingContext();
    const e = ctx.createEntrySpan('x'.repeat(200));
    e.tag('a', '123456').tag('b', '1').tag('c', '1');
    for (let i = 0; i < 5; i++) ctx.createLocalSpan('l' + i).end();
    e.end();
    const seg = reporter.segments[0]!;
    expect(seg.isSizeLimited).toBe(true);
    expect(seg.spans).toHaveLength(3);
    expect(seg.spans[0]!.operationName).toHaveLength(150);
    expect(seg.spans[0]!.tags).toEqual([{ key: 'a', value: '1234' }, { key: 'b', value: '1' }]);
    expect(tracer.stats).toMatchObject({ droppedSpans: 3, droppedTags: 1, truncatedValues: 1 });
    expect(() => new Tracer({ service: '', serviceInstance: 'i', reporter })).toThrow(TypeError);
  });

  it('limits new traces per second, upstream decisions aside', () => {
    let now = 0;
    const s = new RateLimitingSampler(2, { now: () => now });
    expect([s.shouldSample(), s.shouldSample(), s.shouldSample()]).toEqual([true, true, false]);
    now = 1000;
    expect(s.shouldSample()).toBe(true);
  });
});

describe('protobuf encoding', () => {
  const layers: SpanLayer[] = ['Unknown', 'Database', 'RPCFramework', 'Http', 'MQ', 'Cache', 'FAAS', 'GenAI'];
  const segment: SegmentObject = {
    traceId: 'tr-ü',
    traceSegmentId: 'seg',
    service: 'svc',
    serviceInstance: 'inst',
    isSizeLimited: true,
    spans: layers.map((layer, i) => ({
      spanId: i,
      parentSpanId: i - 1,
      startTime: 1_700_000_000_000 + i,
      endTime: 1_799_999_999_999,
      refs: i === 0 ? [{ refType: 'CrossProcess', traceId: 'tr-ü', parentTraceSegmentId: 'p', parentSpanId: 2, parentService: 's', parentServiceInstance: 'si', parentEndpoint: 'e', networkAddressUsedAtPeer: 'h:1' }, { refType: 'CrossThread', traceId: 'tr-ü', parentTraceSegmentId: 'q', parentSpanId: 0, parentService: 's', parentServiceInstance: 'si', parentEndpoint: 'e', networkAddressUsedAtPeer: '' }] : [],
      operationName: 'op-' + 'é'.repeat(i * 20),
      peer: i % 2 ? 'peer:' + i : '',
      spanType: (['Entry', 'Exit', 'Local'] as const)[i % 3]!,
      spanLayer: layer,
      componentId: i * 1000,
      isError: i % 2 === 0,
      tags: [{ key: 'k' + i, value: 'v'.repeat(i * 30) }],
      logs: [{ time: 1_700_000_000_100, data: [{ key: 'event', value: 'error' }, { key: 'stack', value: 'x'.repeat(300) }] }],
      skipAnalysis: i === 3,
    })),
  };

  it('decodes with the official layout to the same segment, field by field', () => {
    expect(decodeAs('SegmentObject', encodeSegment(segment))).toEqual(segment);
    const coll = decodeAs('SegmentCollection', encodeSegmentCollection([segment, encodeSegment(segment)]));
    expect(coll.segments).toEqual([segment, segment]);
  });

  it('writes only known fields with their declared wire types', () => {
    const bytes = encodeSegment(segment);
    const T = protoRoot.lookupType('skywalking.v3.SegmentObject');
    // protobufjs keeps unknown fields in $unknowns: none may exist anywhere.
    const msg = T.decode(bytes) as unknown as Record<string, unknown>;
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        expect(Object.keys(v)).not.toContain('$unknowns');
        Object.values(v).forEach(walk);
      }
    };
    walk(msg);
    expect(Buffer.from(T.encode(msg).finish())).toEqual(Buffer.from(bytes));
  });
});

describe('reporting', () => {
  it('bounds the queue by count and bytes, with one diagnostic when drops start and one when they stop', () => {
    const messages: string[] = [];
    setDiagLogger({ error: () => {}, warn: (m) => messages.push(m), info: () => {}, debug: () => {} }, 'warn');
    const q = new ReportQueue<string>((s) => s.length, { maxItems: 3, maxBytes: 10, name: 'q' });
    expect(['aaaa', 'bbbb', 'cc', 'd', 'e'].map((x) => q.push(x))).toEqual([true, true, true, false, false]);
    expect(q.take(2, 100)).toEqual(['aaaa', 'bbbb']);
    expect(q.push('f')).toBe(true);
    expect(q.dropped).toBe(2);
    expect(messages.filter((m) => m.includes('q is full'))).toHaveLength(1);
    expect(messages.filter((m) => m.includes('room again'))).toHaveLength(1);
    setDiagLogger(undefined, 'none');
  });

  it('batches, retries retryable failures, drops others, and never rejects on a hanging transport', async () => {
    const sent: number[][] = [];
    let mode: 'ok' | 'retry' | 'fatal' | 'hang' = 'retry';
    const r = new BatchReporter<number>({
      transport: {
        send: (batch) =>
          mode === 'ok' ? (sent.push(batch), Promise.resolve()) : mode === 'hang' ? new Promise(() => {}) : Promise.reject(new TransportError(mode, mode === 'retry')),
      },
      encode: (s) => s.spans.length,
      sizeOf: () => 1,
      flushIntervalMs: 10_000,
      maxBatchSize: 2,
      retryDelayMs: 1,
    });
    const seg = (n: number) => ({ spans: new Array(n) }) as unknown as SegmentObject;
    [1, 2, 3].forEach((n) => r.report(seg(n)));
    await r.flush(200);
    expect(r.stats).toMatchObject({ queued: 3, failedSends: 1, dropped: 0 });
    mode = 'ok';
    await r.flush(1000);
    expect(sent).toEqual([[1, 2], [3]]);
    mode = 'fatal';
    r.report(seg(4));
    await r.flush(200);
    expect(r.stats).toMatchObject({ dropped: 1, queued: 0 });
    mode = 'hang';
    r.report(seg(5));
    const t0 = Date.now();
    await r.flush(300);
    await r.shutdown(300);
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});
