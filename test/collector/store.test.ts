import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_STORE_BYTES, segmentBytes, TraceStore } from '../../src/collector/index.js';
import { clone, makeTrace } from './fixtures.js';

describe('TraceStore', () => {
  it('groups segments by trace and replaces a segment reported twice', () => {
    const store = new TraceStore();
    const segs = makeTrace('group');
    store.addSegments([segs[0]!]);
    store.addSegments([segs[1]!]);
    const again = clone(segs[1]!);
    again.spans[0]!.operationName = 'renamed';
    store.addSegments([again]);
    const trace = store.traces.get(segs[0]!.traceId)!;
    expect(trace.segments).toHaveLength(2);
    expect(trace.segments[1]!.spans[0]!.operationName).toBe('renamed');
    expect(store.counts.segments).toBe(3);
  });

  it('evicts the oldest trace first, not the least recently updated', () => {
    const store = new TraceStore({ maxTraces: 2 });
    const [a, b, c] = [makeTrace('a'), makeTrace('b'), makeTrace('c')];
    store.addSegments([a[0]!]);
    store.addSegments(b);
    store.addSegments([a[1]!]); // a late segment of the oldest trace does not refresh it
    store.addSegments(c);
    expect([...store.traces.keys()]).toEqual([b[0]!.traceId, c[0]!.traceId]);
    expect(store.counts.evictedTraces).toBe(1);
    expect(store.list().map((t) => t.traceId)).toEqual([c[0]!.traceId, b[0]!.traceId]);
  });

  it('bounds segments per trace and counts the dropped ones', () => {
    const store = new TraceStore({ maxSegmentsPerTrace: 1 });
    store.addSegments(makeTrace('cap'));
    expect([...store.traces.values()][0]!.segments).toHaveLength(1);
    expect(store.counts.droppedSegments).toBe(1);
  });

  it('keeps problems per segment and finds reference problems across segments', () => {
    const store = new TraceStore();
    const segs = makeTrace('refs');
    const down = segs[0]!;
    down.spans[0]!.refs[0]!.parentService = 'impostor';
    down.spans[0]!.refs[0]!.parentSpanId = 9;
    store.addSegments(segs);
    const trace = store.traces.get(down.traceId)!;
    expect(trace.segmentProblems.get(down.traceSegmentId)).toEqual([]);
    expect(store.traceProblems(trace)).toEqual([`refs-down span 0 "GET:/b": ref points at span 9, which refs's segment does not have`]);
    down.spans[0]!.refs[0]!.parentSpanId = 1;
    expect(store.traceProblems(trace)).toEqual([`refs-down span 0 "GET:/b": ref parentService "impostor" ≠ "refs"`]);
    expect(store.problemList(trace)).toEqual([{ segmentId: down.traceSegmentId, spanId: 0, message: `refs-down span 0 "GET:/b": ref parentService "impostor" ≠ "refs"` }]);
    down.spans[0]!.refs[0]!.parentService = 'refs';
    down.spans[0]!.refs[0]!.parentSpanId = 0;
    expect(store.traceProblems(trace)).toEqual([`refs-down span 0 "GET:/b": ref points at a Entry span, expected Exit`, `refs-down span 0 "GET:/b": networkAddressUsedAtPeer "down:80" ≠ caller's exit peer ""`]);
  });

  it('summarises a trace: root endpoint, causal service order, span counts, error flag', () => {
    const store = new TraceStore();
    const segs = makeTrace('sum');
    segs[0]!.spans[0]!.isError = true;
    store.addSegments(segs);
    const s = store.summary(store.traces.get(segs[0]!.traceId)!);
    expect(s).toMatchObject({ endpoint: 'GET:/a', services: ['sum', 'sum-down'], spanCount: 3, segmentCount: 2, error: true, problems: [] });
    const all = segs.flatMap((x) => x.spans);
    expect(s.start).toBe(Math.min(...all.map((x) => x.startTime)));
    expect(s.duration).toBe(Math.max(...all.map((x) => x.endTime)) - s.start);
  });

  it('survives segments whose references form a cycle', () => {
    const store = new TraceStore();
    const segs = clone(makeTrace('cycle'));
    const [down, up] = segs as [typeof segs[0], typeof segs[0]];
    up.spans[0]!.refs.push({ ...down.spans[0]!.refs[0]!, parentTraceSegmentId: down.traceSegmentId, parentSpanId: 0 });
    store.addSegments(segs);
    const s = store.list()[0]!;
    expect(s.segmentCount).toBe(2);
    expect(s.problems.join('\n')).toMatch(/expected Exit/);
  });

  it('keeps only the latest log, meter and browser error records', () => {
    // Logs and meters are bounded by bytes (telemetry-store.ts): 510 records of 7-8 bytes each in 8000 bytes.
    const store = new TraceStore();
    (store.telemetry as { maxBytes: number }).maxBytes = 8000;
    for (let i = 0; i < 510; i++) {
      store.addLog({ i });
      store.addMeters([{ i }]);
    }
    store.addBrowserErrors(['not an object']);
    expect(store.telemetry.bytes).toBeLessThanOrEqual(8000);
    expect(store.logs.length + store.meters.length).toBeLessThan(1020);
    expect(store.logs.at(-1)).toEqual({ i: 509 });
    expect(store.meters.at(-1)).toEqual({ i: 509 });
    expect(store.counts).toMatchObject({ logs: 510, meters: 510, browserErrors: 1 });
    expect(store.browserErrors).toEqual([{ value: 'not an object' }]);
  });

  it('computes start and duration from spans with sane times only, and flags the others', () => {
    const store = new TraceStore();
    const segs = clone(makeTrace('clock'));
    const good = segs.flatMap((x) => x.spans);
    const start = Math.min(...good.map((x) => x.startTime));
    const end = Math.max(...good.map((x) => x.endTime));
    const [down, up] = segs as [(typeof segs)[0], (typeof segs)[0]];
    // A third segment whose clock is broken in every way validation knows.
    const bad = clone(down);
    bad.traceSegmentId = 'bad-clock';
    bad.spans[0]!.startTime = 12345; // not epoch ms
    bad.spans[0]!.endTime = 12400;
    const back = clone(up);
    back.traceSegmentId = 'backwards';
    back.spans[0]!.startTime = end + 50; // ends before it starts
    back.spans[0]!.endTime = start - 50;
    back.spans[1]!.startTime = start;
    back.spans[1]!.endTime = Date.now() + 3 * 86_400_000; // ends days from now
    store.addSegments([...segs, bad, back]);
    const trace = store.traces.get(up.traceId)!;
    const s = store.summary(trace);
    expect(s.start).toBe(start);
    expect(s.duration).toBe(end - start);
    const problems = s.problems.join('\n');
    expect(problems).toMatch(/span 0 "GET:\/b": start time 12345 is not epoch milliseconds/);
    expect(problems).toMatch(/span 0 "GET:\/a": ends before it starts/);
    expect(problems).toMatch(/span 1 "\/b": ends more than a day in the future/);
    // The insane span does not make its service look first either.
    expect(s.services).toEqual(['clock', 'clock-down']);
    // With no sane span at all, the window is empty rather than absurd.
    const only = new TraceStore();
    only.addSegments([bad]);
    expect(only.list()[0]).toMatchObject({ start: 0, duration: 0 });
  });

  it('lists the first entry endpoint beside the root endpoint', () => {
    const store = new TraceStore();
    const segs = makeTrace('entry');
    store.addSegments(segs);
    // makeTrace's root is an entry itself; the down service's entry is one hop further.
    expect(store.list()[0]).toMatchObject({ endpoint: 'GET:/a', entryEndpoint: 'GET:/a' });
    const exitOnly = clone(segs);
    const root = exitOnly.find((x) => x.service === 'entry')!;
    root.spans = [{ ...root.spans[1]!, spanId: 0, parentSpanId: -1 }];
    const other = new TraceStore();
    other.addSegments(exitOnly);
    expect(other.list()[0]).toMatchObject({ endpoint: '/b', entryEndpoint: 'GET:/b' });
  });

  it('keeps stored traces within a byte budget, evicting the oldest', () => {
    const one = makeTrace('b0');
    const perTrace = one.reduce((n, x) => n + segmentBytes(x), 0);
    expect(perTrace).toBeGreaterThan(500);
    const store = new TraceStore({ maxBytes: perTrace * 3 + perTrace / 2 });
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const t = makeTrace(`b${i}`); // names as long as b0's, so every trace has the same size
      ids.push(t[0]!.traceId);
      store.addSegments(t);
      expect(store.bytes).toBeLessThanOrEqual(store.maxBytes);
    }
    expect([...store.traces.keys()]).toEqual(ids.slice(-3));
    expect(store.counts.evictedTraces).toBe(7);
    // Traces hold their segments (clean: no problems); the rest of `bytes` is the instances.
    const traceBytes = () => [...store.traces.values()].reduce((n, t) => n + t.bytes, 0);
    expect(traceBytes()).toBe(perTrace * 3);
    const instanceBytes = store.bytes - traceBytes();
    expect(instanceBytes).toBeGreaterThan(0);
    // Replacing a segment swaps its bytes rather than adding them.
    const last = store.traces.get(ids[9]!)!;
    store.addSegments([clone(last.segments[0]!)]);
    expect(traceBytes()).toBe(perTrace * 3);
    expect(store.bytes).toBe(perTrace * 3 + instanceBytes);
    // A segment bigger than the whole budget is dropped, and nothing is evicted for it.
    const huge = clone(one[0]!);
    huge.spans[0]!.operationName = 'x'.repeat(perTrace * 4);
    store.addSegments([huge]);
    expect(store.traces.size).toBe(3);
    expect(store.counts.droppedSegments).toBe(1);
    expect(new TraceStore().maxBytes).toBe(DEFAULT_MAX_STORE_BYTES);
  });

  it('estimates bytes from the strings a segment holds', () => {
    const [seg] = clone(makeTrace('size'));
    const base = segmentBytes(seg!);
    seg!.spans[0]!.tags.push({ key: 'k', value: 'v'.repeat(1000) });
    expect(segmentBytes(seg!) - base).toBeGreaterThanOrEqual(2002);
  });
});
