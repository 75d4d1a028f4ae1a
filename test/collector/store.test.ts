import { describe, expect, it } from 'vitest';
import { TraceStore } from '../../src/collector/index.js';
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
    const store = new TraceStore();
    for (let i = 0; i < 510; i++) {
      store.addLog({ i });
      store.addMeters([{ i }]);
    }
    store.addBrowserErrors(['not an object']);
    expect(store.logs).toHaveLength(500);
    expect(store.logs[0]).toEqual({ i: 10 });
    expect(store.meters.at(-1)).toEqual({ i: 509 });
    expect(store.counts).toMatchObject({ logs: 510, meters: 510, browserErrors: 1 });
    expect(store.browserErrors).toEqual([{ value: 'not an object' }]);
  });
});
