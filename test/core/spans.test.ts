// The span model: ids, parents, the active span, async ends, misuse, limits, capture.
import { describe, expect, it } from 'vitest';
import { InMemoryReporter, Log, recordCarrier, Tag, Tracer } from '../../src/core/index.js';
import type { TracerOptions } from '../../src/core/index.js';
import { captureDiag, fixture } from './fixture.js';

describe('span ids and parents', () => {
  it('numbers spans from 0 and defaults the parent to the active span', () => {
    const { tracer, reporter } = fixture();
    const ctx = tracer.createTracingContext();
    expect(ctx.activeSpan()).toBeUndefined();
    const a = ctx.createEntrySpan('a');
    expect(ctx.activeSpan()).toBe(a);
    const b = ctx.createLocalSpan('b'); // parent: a (active)
    const c = ctx.createLocalSpan('c', null); // parent: b (active)
    c.end();
    expect(ctx.activeSpan()).toBe(b);
    const d = ctx.createExitSpan('d', undefined, 'h:1'); // parent: b again
    const e = ctx.createLocalSpan('e', a); // explicit parent
    expect([a, b, c, d, e].map((s) => s.spanId)).toEqual([0, 1, 2, 3, 4]);
    expect([a, b, c, d, e].map((s) => s.parentSpanId)).toEqual([-1, 0, 1, 1, 0]);
    expect(ctx.activeSpan()).toBe(e);
    [e, d, b, a].forEach((s) => s.end());
    expect(reporter.segments[0]!.spans.map((s) => [s.spanId, s.parentSpanId])).toEqual([[0, -1], [1, 0], [2, 1], [3, 1], [4, 0]]);
    expect(reporter.segments[0]!.spans.map((s) => s.spanType)).toEqual(['Entry', 'Local', 'Local', 'Exit', 'Local']);
  });

  it('uses the active span when the given parent belongs to another context', () => {
    const { tracer } = fixture();
    const other = tracer.createTracingContext().createEntrySpan('other');
    const ctx = tracer.createTracingContext();
    const a = ctx.createEntrySpan('a');
    const b = ctx.createLocalSpan('b', other);
    expect(b.parentSpanId).toBe(a.spanId);
  });

  it('reports once, when the last open span ends, whatever the order (async work)', () => {
    const { tracer, reporter } = fixture();
    const ctx = tracer.createTracingContext();
    const root = ctx.createEntrySpan('root');
    const job1 = ctx.createLocalSpan('job1');
    const job2 = ctx.createExitSpan('job2', root, 'db:1');
    root.end(); // the parent ends first, its children run on
    expect(ctx.activeSpan()).toBe(job2);
    job1.end(); // not the innermost
    expect(reporter.segments).toHaveLength(0);
    expect(ctx.isFinished).toBe(false);
    const late = ctx.createLocalSpan('late child'); // parent: job2, still open
    expect(late.parentSpanId).toBe(job2.spanId);
    job2.end();
    expect(reporter.segments).toHaveLength(0);
    late.end();
    expect(ctx.isFinished).toBe(true);
    expect(reporter.segments).toHaveLength(1);
    const spans = reporter.segments[0]!.spans;
    expect(spans.map((s) => s.operationName)).toEqual(['root', 'job1', 'job2', 'late child']);
    for (const s of spans) expect(s.endTime).toBeGreaterThanOrEqual(s.startTime);
    // The root ended before its children: recorded as it happened.
    expect(spans[0]!.endTime).toBeLessThan(spans[2]!.endTime);
  });

  it('ignores a second end, with a diagnostic', () => {
    const lines = captureDiag();
    const { tracer, reporter } = fixture();
    const ctx = tracer.createTracingContext();
    const a = ctx.createEntrySpan('a');
    const b = ctx.createLocalSpan('b');
    b.end();
    const endB = b.endTime;
    b.end(); // must not close a
    expect(b.endTime).toBe(endB);
    expect(reporter.segments).toHaveLength(0);
    a.end();
    a.end(9_999_999_999_999);
    expect(reporter.segments).toHaveLength(1);
    expect(reporter.segments[0]!.spans[0]!.endTime).toBe(a.endTime);
    expect(lines.filter((l) => l.includes('ended twice'))).toHaveLength(2);
  });

  it('raises an end time before the start to the start, and takes an explicit end time', () => {
    const { tracer, reporter } = fixture();
    const ctx = tracer.createTracingContext();
    const a = ctx.createEntrySpan('a');
    const b = ctx.createLocalSpan('b');
    b.end(1);
    a.end(a.startTime + 12345);
    const [sa, sb] = reporter.segments[0]!.spans;
    expect(sb!.endTime).toBe(sb!.startTime);
    expect(sa!.endTime).toBe(sa!.startTime + 12345);
  });

  it('makes spans of a finished context safe no-ops', () => {
    const lines = captureDiag();
    const { tracer, reporter } = fixture();
    const ctx = tracer.createTracingContext();
    ctx.createEntrySpan('a').end();
    const headers: Record<string, string> = {};
    const spans = [ctx.createEntrySpan('x'), ctx.createLocalSpan('y'), ctx.createExitSpan('z', null, 'h:1', recordCarrier(headers))];
    for (const s of spans) {
      expect(s.isRecording).toBe(false);
      expect(s.spanId).toBe(-1);
      expect(() => {
        s.tag('k', 'v').tag(new Tag('k', 'v')).log({ a: 'b' }).error(new Error('x')).setComponent(2).setLayer('Http').setOperationName('n');
        s.end();
        s.end();
      }).not.toThrow();
    }
    expect(headers).toEqual({});
    expect(reporter.segments).toHaveLength(1);
    expect(lines.some((l) => l.includes('finished context'))).toBe(true);
  });

  it('records an exit span without a peer but injects nothing', () => {
    const lines = captureDiag();
    const { tracer, reporter } = fixture();
    const ctx = tracer.createTracingContext();
    const headers: Record<string, string> = {};
    const x = ctx.createExitSpan('call', null, '', recordCarrier(headers));
    // @ts-expect-error: misuse from untyped code
    const y = ctx.createExitSpan('call2', null, undefined, recordCarrier(headers));
    expect(x.isRecording).toBe(true);
    expect(headers).toEqual({});
    y.end();
    x.end();
    expect(reporter.segments[0]!.spans.map((s) => [s.spanType, s.peer])).toEqual([['Exit', ''], ['Exit', '']]);
    expect(lines.some((l) => l.startsWith('warn') && l.includes('no peer'))).toBe(true);
  });
});

describe('span data', () => {
  it('records tags, logs, errors, component, layer and renames', () => {
    const { tracer, reporter } = fixture();
    const ctx = tracer.createTracingContext();
    const s = ctx.createEntrySpan('GET:/users/1');
    s.tag('n', 42).tag('b', true).tag(new Tag('t', 'x')).tag('', 'ignored').tag('u', undefined as unknown as string);
    s.log({ event: 'cache-miss' }).log([['a', '1']]).log(new Log({ at: 'fixed' }, 123));
    s.error();
    s.error({ name: 'BadThing', message: 'it broke', stack: 'at x' });
    s.error('plain string');
    s.setComponent(49).setComponent(-1).setComponent(1.5).setLayer('Http').setOperationName('GET:/users/:id').setOperationName('');
    s.end();
    const span = reporter.segments[0]!.spans[0]!;
    expect(span).toMatchObject({ operationName: 'GET:/users/:id', componentId: 49, spanLayer: 'Http', isError: true });
    expect(span.tags).toEqual([
      { key: 'n', value: '42' },
      { key: 'b', value: 'true' },
      { key: 't', value: 'x' },
      { key: 'u', value: '' },
    ]);
    expect(span.logs.map((l) => l.data)).toEqual([
      [{ key: 'event', value: 'cache-miss' }],
      [{ key: 'a', value: '1' }],
      [{ key: 'at', value: 'fixed' }],
      [{ key: 'event', value: 'error' }, { key: 'error.kind', value: 'BadThing' }, { key: 'message', value: 'it broke' }, { key: 'stack', value: 'at x' }],
      [{ key: 'event', value: 'error' }, { key: 'error.kind', value: 'string' }, { key: 'message', value: 'plain string' }],
    ]);
    expect(span.logs[2]!.time).toBe(123);
    expect(span.logs[0]!.time).toBeGreaterThan(span.startTime);
  });

  it('survives hostile errors and log input', () => {
    const { tracer, reporter } = fixture();
    const ctx = tracer.createTracingContext();
    const s = ctx.createEntrySpan('a');
    const evil = {
      get name(): string {
        throw new Error('no');
      },
    };
    expect(() => s.error(evil).error(null).log(42 as unknown as Record<string, string>)).not.toThrow();
    s.end();
    expect(reporter.segments[0]!.spans[0]!.logs[0]!.data).toEqual([{ key: 'event', value: 'error' }]);
  });
});

describe('limits', () => {
  it('drops spans beyond 300 per segment, marks the segment and counts', () => {
    const { tracer, reporter } = fixture();
    const ctx = tracer.createTracingContext();
    const root = ctx.createEntrySpan('root');
    for (let i = 0; i < 310; i++) {
      const s = ctx.createLocalSpan('s' + i);
      s.tag('k', 'v');
      s.end();
    }
    root.end();
    const seg = reporter.segments[0]!;
    expect(seg.spans).toHaveLength(300);
    expect(seg.isSizeLimited).toBe(true);
    expect(tracer.stats.droppedSpans).toBe(11);
    expect(tracer.stats.reportedSegments).toBe(1);
  });

  it('bounds tags and logs per span and cuts long values and names', () => {
    const { tracer, reporter } = fixture({ limits: { maxTagsPerSpan: 2, maxLogsPerSpan: 1, maxTagValueLength: 5, maxLogValueLength: 3 } });
    const ctx = tracer.createTracingContext({ endpoint: 'e'.repeat(400) });
    const s = ctx.createEntrySpan('n'.repeat(151));
    s.tag('a', '1234567').tag('b', '🚀🚀🚀').tag('c', 'dropped');
    s.log({ m: 'abcdef' }).log({ m: 'dropped' });
    s.setOperationName('o'.repeat(1000));
    s.end();
    const span = reporter.segments[0]!.spans[0]!;
    expect(span.tags).toEqual([{ key: 'a', value: '12345' }, { key: 'b', value: '🚀🚀' }]); // never half a surrogate pair
    expect(span.logs.map((l) => l.data)).toEqual([[{ key: 'm', value: 'abc' }]]);
    expect(span.operationName).toBe('o'.repeat(150));
    expect(tracer.stats).toMatchObject({ droppedTags: 1, droppedLogs: 1, truncatedValues: 3 });
  });

  it('cuts service and instance names to 50 characters and rejects a tracer without them', () => {
    const reporter = new InMemoryReporter();
    const t = new Tracer({ service: 's'.repeat(70), serviceInstance: ' i '.repeat(30), reporter });
    expect(t.service).toHaveLength(50);
    expect(t.serviceInstance.length).toBeLessThanOrEqual(50);
    for (const bad of [{ service: ' ', serviceInstance: 'i', reporter }, { service: 's', serviceInstance: '', reporter }, { service: 's', serviceInstance: 'i', reporter: {} }])
      expect(() => new Tracer(bad as TracerOptions)).toThrow(TypeError);
  });

  it('counts segments the reporter rejects and never lets its error reach the caller', () => {
    const { tracer } = fixture({
      reporter: {
        report: () => {
          throw new Error('full');
        },
        flush: async () => {},
        shutdown: async () => {},
      },
    });
    const ctx = tracer.createTracingContext();
    expect(() => ctx.createEntrySpan('a').end()).not.toThrow();
    expect(tracer.stats).toMatchObject({ reporterErrors: 1, reportedSegments: 0 });
  });
});

describe('capture and continued', () => {
  it('links work continued in another context with a CrossThread reference on its first span', () => {
    const { tracer, reporter } = fixture();
    const ctx = tracer.createTracingContext();
    const entry = ctx.createEntrySpan('GET:/job');
    const local = ctx.createLocalSpan('enqueue');
    ctx.setCorrelation('tenant', 'a');
    const snap = ctx.capture();
    expect(snap).toMatchObject({ traceId: ctx.traceId, segmentId: ctx.segmentId, spanId: local.spanId, endpoint: 'GET:/job', sampled: true });
    local.end();
    entry.end();

    const worker = tracer.createTracingContext();
    worker.continued(snap);
    expect(worker.correlation.get('tenant')).toBe('a');
    const w = worker.createLocalSpan('work');
    const headers: Record<string, string> = {};
    worker.createExitSpan('/next', w, 'next:80', recordCarrier(headers)).end();
    w.end();
    const seg = reporter.segments[1]!;
    expect(seg.traceId).toBe(ctx.traceId);
    expect(seg.traceSegmentId).not.toBe(ctx.segmentId);
    expect(seg.spans[0]!.refs).toEqual([
      { refType: 'CrossThread', traceId: ctx.traceId, parentTraceSegmentId: ctx.segmentId, parentSpanId: 1, parentService: 'svc', parentServiceInstance: 'inst', parentEndpoint: 'GET:/job', networkAddressUsedAtPeer: '' },
    ]);
    expect(seg.spans[1]!.refs).toEqual([]);
    // The continued segment propagates the original endpoint and trace.
    expect(headers.sw8!.split('-')[6]).toBe(Buffer.from('GET:/job').toString('base64'));
  });

  it('adds the reference to the active span when the context already has one', () => {
    const { tracer, reporter } = fixture();
    const a = tracer.createTracingContext();
    const ae = a.createEntrySpan('a');
    const snap = a.capture();
    const b = tracer.createTracingContext();
    const be = b.createEntrySpan('b');
    b.continued(snap);
    be.end();
    ae.end();
    expect(reporter.segments[0]!.spans[0]!.refs.map((r) => [r.refType, r.parentTraceSegmentId])).toEqual([['CrossThread', a.segmentId]]);
  });

  it('ignores junk, snapshots of contexts without spans, and finished contexts', () => {
    const lines = captureDiag();
    const { tracer, reporter } = fixture();
    const ctx = tracer.createTracingContext();
    const empty = ctx.capture(); // nothing recorded yet: a snapshot that points at nothing
    expect(empty.spanId).toBe(-1);
    const fresh = tracer.createTracingContext();
    const ownTrace = fresh.traceId;
    for (const junk of [empty, undefined, null, {}, 42, { ...empty, spanId: 0, traceId: '' }]) expect(() => fresh.continued(junk as never)).not.toThrow();
    fresh.createLocalSpan('x').end();
    expect(reporter.segments[0]!.spans[0]!.refs).toEqual([]);
    expect(reporter.segments[0]!.traceId).toBe(ownTrace);
    expect(lines.filter((l) => l.includes('not a snapshot'))).toHaveLength(1); // once, however often
    // A finished context takes no reference at all.
    const done = tracer.createTracingContext();
    const a = done.createEntrySpan('a');
    const snap = done.capture();
    a.end();
    expect(() => done.continued(snap)).not.toThrow();
    expect(reporter.segments[1]!.spans[0]!.refs).toEqual([]);
  });
});

describe('injected clock and ids', () => {
  it('make a whole segment with refs comparable with toEqual', () => {
    const { tracer, reporter } = fixture();
    const up = tracer.createTracingContext(); // id-1, id-2
    const upEntry = up.createEntrySpan('GET:/up'); // t=10
    const headers: Record<string, string> = {};
    const exit = up.createExitSpan('/down', upEntry, 'down:8080', recordCarrier(headers)); // t=20
    const down = tracer.createTracingContext(); // id-3, id-4
    const entry = down.createEntrySpan('GET:/down', null, recordCarrier(headers)); // t=30
    entry.setComponent(49).setLayer('Http').tag('http.status_code', 200);
    entry.end(); // t=40
    exit.end();
    upEntry.end();
    expect(reporter.segments[0]).toEqual({
      traceId: 'id-1',
      traceSegmentId: 'id-4',
      service: 'svc',
      serviceInstance: 'inst',
      isSizeLimited: false,
      spans: [
        {
          spanId: 0,
          parentSpanId: -1,
          startTime: 1_700_000_000_030,
          endTime: 1_700_000_000_040,
          refs: [{ refType: 'CrossProcess', traceId: 'id-1', parentTraceSegmentId: 'id-2', parentSpanId: 1, parentService: 'svc', parentServiceInstance: 'inst', parentEndpoint: 'GET:/up', networkAddressUsedAtPeer: 'down:8080' }],
          operationName: 'GET:/down',
          peer: '',
          spanType: 'Entry',
          spanLayer: 'Http',
          componentId: 49,
          isError: false,
          tags: [{ key: 'http.status_code', value: '200' }],
          logs: [],
          skipAnalysis: false,
        },
      ],
    });
  });

  it('the default generator gives distinct 32-hex ids', () => {
    const reporter = new InMemoryReporter();
    const tracer = new Tracer({ service: 's', serviceInstance: 'i', reporter });
    const ids = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const c = tracer.createTracingContext();
      ids.add(c.traceId).add(c.segmentId);
      expect(c.traceId).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(ids.size).toBe(2000);
  });
});
