// Hostile input against the collector (issue 9, items 1–4): one request must not take it
// down, keys from input are ordinary keys, the trace API is not readable from other origins,
// and paths are parsed as paths.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmentBytes, startCollector, TraceStore, type Collector } from '../../src/collector/index.js';
import { encodeSegmentCollection } from '../../src/core/index.js';
import type { SegmentObject } from '../../src/core/index.js';
import { protoRoot } from '../helpers/proto.js';
import { clone, makeTrace } from './fixtures.js';

let c: Collector;
const post = (path: string, body: unknown) =>
  fetch(c.httpUrl + path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
const get = (path: string, headers: Record<string, string> = {}) => fetch(c.httpUrl + path, { headers });

beforeAll(async () => {
  c = await startCollector({ grpcPort: 0, httpPort: 0 });
});
afterAll(() => c.close());

/** A segment of `spans` spans, each with `refs` references to segments that never arrive. */
function bogus(traceId: string, spans: number, refs: number, name: string): SegmentObject {
  const [seg] = clone(makeTrace('bogus'));
  const span0 = seg!.spans[0]!;
  seg!.traceId = traceId;
  seg!.traceSegmentId = traceId + '.seg';
  seg!.spans = Array.from({ length: spans }, (_, i) => ({
    ...clone(span0),
    spanId: i,
    parentSpanId: i - 1,
    operationName: name,
    refs: Array.from({ length: refs }, (_, j) => ({
      refType: 'CrossProcess' as const,
      traceId: 'another-trace-' + 'z'.repeat(100),
      parentTraceSegmentId: `missing-${j}-` + 'p'.repeat(100),
      parentSpanId: -1,
      parentService: 'svc-' + 's'.repeat(100),
      parentServiceInstance: '',
      parentEndpoint: '',
      networkAddressUsedAtPeer: '',
    })),
  }));
  return seg!;
}

describe('collector under hostile input', () => {
  it('refuses at receipt a segment whose analysis would be unbounded, and keeps answering small', async () => {
    // The reported input: one span, a 200,000-character operation name, 300 empty refs (0.6 MB).
    const seg = { traceId: 't-huge', traceSegmentId: 's-huge', service: 'a', serviceInstance: 'b', spans: [{ spanId: 0, parentSpanId: -1, operationName: 'x'.repeat(200_000), refs: Array.from({ length: 300 }, () => ({})) }] };
    const body = JSON.stringify([seg]);
    expect(body.length).toBeGreaterThan(200_000);
    const res = await post('/v3/segments', body);
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatch(/segment 0 span 0 has 300 refs, over the limit of 32/);
    // The name alone, with few refs, is refused too.
    seg.spans[0]!.refs = [{}];
    const named = await post('/v3/segments', [seg]);
    expect(named.status).toBe(413);
    expect((await named.json()).error).toMatch(/operationName has 200000 characters, over the limit of 4096/);
    // And over gRPC.
    const cl = new (grpc.makeGenericClientConstructor({}, 'x'))(c.grpcAddress, grpc.credentials.createInsecure());
    const big = clone(makeTrace('grpc-huge'));
    big[0]!.spans[0]!.operationName = 'x'.repeat(200_000);
    const err = await new Promise<grpc.ServiceError | null>((resolve) =>
      cl.makeUnaryRequest('/skywalking.v3.TraceSegmentReportService/collectInSync', (b: Uint8Array) => Buffer.from(b), (b: Buffer) => b, encodeSegmentCollection(big), (e) => resolve(e)),
    );
    cl.close();
    expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err?.details).toMatch(/operationName has 200000 characters/);
    expect(c.store.traces.has('t-huge')).toBe(false);
    expect(c.store.traces.has(big[0]!.traceId)).toBe(false);
    const list = await (await get('/api/traces')).text();
    expect(list.length).toBeLessThan(10_000);
  });

  it('bounds the problems of a segment that passes the receipt limits, and counts them in the byte budget', async () => {
    // 100 spans × 30 refs to missing parents, each span named with 4000 characters: thousands of problems.
    const seg = bogus('t-problems', 100, 30, 'n'.repeat(4000));
    const res = await post('/v3/segments', [seg]);
    expect(res.status).toBe(200);
    const trace = c.store.traces.get('t-problems')!;
    const own = trace.segmentProblems.get('t-problems.seg')!;
    expect(own.length).toBeLessThanOrEqual(33);
    expect(own.at(-1)).toMatch(/^\+\d+ more problems$/);
    for (const p of own) expect(p.length).toBeLessThan(400);
    // Problems are held, so they are counted: the trace weighs more than its segment.
    const problemChars = own.reduce((n, p) => n + p.length, 0);
    expect(trace.bytes).toBeGreaterThanOrEqual(segmentBytes(seg) + 2 * problemChars);

    const listRes = await get('/api/traces?limit=1000');
    const listText = await listRes.text();
    const item = (JSON.parse(listText) as Array<{ traceId: string; problems: string[]; problemCount: number }>).find((t) => t.traceId === 't-problems')!;
    expect(item.problems.length).toBeLessThanOrEqual(11);
    expect(item.problemCount).toBeGreaterThan(1000);
    expect(JSON.stringify(item).length).toBeLessThan(8_000);
    const detail = await (await get('/api/traces/t-problems')).json();
    expect(detail.problems.length).toBeLessThanOrEqual(2 * 33 + 1);
    for (const p of detail.problems) expect(p.message.length).toBeLessThan(600);
    expect(detail.summary.problemCount).toBe(item.problemCount);
    // The cached summary is counted too, and the total stays within the budget.
    expect(c.store.bytes).toBeLessThanOrEqual(c.store.maxBytes);
    const held = [...c.store.traces.values()].reduce((n, t) => n + t.bytes, 0);
    expect(c.store.bytes).toBeGreaterThanOrEqual(held);
  });

  it('answers at most a bounded part of a very large trace, and says so', async () => {
    const store = new TraceStore();
    const segs: SegmentObject[] = [];
    for (let i = 0; i < 300; i++) {
      const s = bogus('t-wide', 60, 0, 'op');
      s.traceSegmentId = `seg-${i}`;
      segs.push(s);
    }
    store.addSegments(segs);
    const detail = store.detail(store.traces.get('t-wide')!);
    expect(detail.truncated).toBe(true);
    expect(detail.segments.length).toBeLessThan(300);
    expect(detail.segments.reduce((n, s) => n + s.spans.length, 0)).toBeLessThanOrEqual(5000);
    expect(detail.omittedSegments).toBe(300 - detail.segments.length);
    expect(Object.keys(detail.segmentProblems).length).toBe(detail.segments.length);
    expect(detail.summary.segmentCount).toBe(300);
  });

  it('counts instances and kept records in the byte budget, evicting beyond it', () => {
    const store = new TraceStore({ maxBytes: 2_000_000 });
    store.addSegments(makeTrace('kept'));
    for (let i = 0; i < 500; i++) store.addLog({ body: 'l'.repeat(20_000), i });
    for (let i = 0; i < 500; i++) store.addMeters([{ name: 'm'.repeat(20_000) }]);
    store.addBrowserErrors(Array.from({ length: 500 }, () => ({ message: 'e'.repeat(20_000) })));
    for (let i = 0; i < 200; i++) store.addInstance('svc', `inst-${i}`, [{ key: 'k', value: 'v'.repeat(20_000) }]);
    expect(store.bytes).toBeLessThanOrEqual(store.maxBytes);
    expect(store.bytes).toBeGreaterThan(store.maxBytes / 4);
    expect(store.logs.length).toBeLessThan(500);
    expect(store.meters.length).toBeLessThan(500);
    expect(store.browserErrors.length).toBeLessThan(500);
    expect(store.instances.size).toBeLessThan(200);
    // The newest stay.
    expect(store.logs.at(-1)!.i).toBe(499);
    expect(store.instances.has('svc\u0000inst-199')).toBe(true);
  });

  it('takes property keys and names such as __proto__, constructor and toString as ordinary keys, over HTTP and gRPC', async () => {
    const report = (service: string, properties: Array<{ key: string; value: string }>) =>
      post('/v3/management/reportProperties', { service, serviceInstance: '__proto__', properties });
    expect((await report('__proto__', [{ key: 'language', value: 'js' }])).status).toBe(200);
    const keys = ['toString', 'constructor', '__proto__', 'hasOwnProperty'];
    const res = await report('__proto__', keys.map((key) => ({ key, value: key + '-v' })));
    expect(res.status).toBe(200);
    const services = (await (await get('/api/services')).json()) as Array<{ service: string; instances: Array<{ serviceInstance: string; properties: Record<string, string[]> }> }>;
    const svc = services.find((s) => s.service === '__proto__')!;
    expect(svc.instances).toHaveLength(1);
    expect(svc.instances[0]!.serviceInstance).toBe('__proto__');
    const props = svc.instances[0]!.properties;
    expect(Object.keys(props).sort()).toEqual([...keys].sort());
    for (const k of keys) expect(Object.getOwnPropertyDescriptor(props, k)!.value).toEqual([k + '-v']);
    // A refused report leaves the earlier properties alone.
    const tooMany = await report('__proto__', Array.from({ length: 1000 }, (_, i) => ({ key: 'k' + i, value: '' })));
    expect(tooMany.status).toBe(413);
    expect(Object.keys(c.store.instances.get('__proto__\u0000__proto__')!.properties).sort()).toEqual([...keys].sort());

    const cl = new (grpc.makeGenericClientConstructor({}, 'x'))(c.grpcAddress, grpc.credentials.createInsecure());
    const type = protoRoot.lookupType('skywalking.v3.InstanceProperties');
    const bytes = type.encode(type.fromObject({ service: 'constructor', serviceInstance: 'toString', properties: keys.map((key) => ({ key, value: 'g' })) })).finish();
    const err = await new Promise<grpc.ServiceError | null>((resolve) =>
      cl.makeUnaryRequest('/skywalking.v3.ManagementService/reportInstanceProperties', (b: Uint8Array) => Buffer.from(b), (b: Buffer) => b, bytes, (e) => resolve(e)),
    );
    cl.close();
    expect(err).toBeNull();
    const inst = c.store.instances.get('constructor\u0000toString')!;
    expect(Object.keys(inst.properties).sort()).toEqual([...keys].sort());
    expect(Object.getOwnPropertyDescriptor(inst.properties, '__proto__')!.value).toEqual(['g']);

    // Segments of a service and trace named __proto__ are ordinary too.
    const seg = clone(makeTrace('__proto__')).find((s) => s.service === '__proto__');
    seg!.traceId = '__proto__';
    for (const s of seg!.spans) for (const r of s.refs) r.traceId = '__proto__';
    expect((await post('/v3/segments', [seg])).status).toBe(200);
    const detail = await (await get('/api/traces/__proto__')).json();
    expect(detail.summary.services).toEqual(['__proto__']);
    expect(Object.keys(detail.segmentProblems)).toEqual([seg!.traceSegmentId]);
  });

  it('grants CORS only to the reporting endpoints', async () => {
    const origin = { origin: 'http://evil.example' };
    for (const path of ['/api/traces', '/api/stats', '/api/services', '/api/logs', '/api/logs/search', '/api/meters/series', '/api/browser/pages', '/api/browser/error-groups', '/', '/api/traces/nope', '/nowhere']) {
      const res = await get(path, origin);
      expect(res.headers.get('access-control-allow-origin'), path).toBeNull();
      await res.arrayBuffer();
    }
    const pre = await fetch(c.httpUrl + '/api/traces', { method: 'OPTIONS', headers: { ...origin, 'access-control-request-method': 'GET' } });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const report = await fetch(c.httpUrl + '/v3/segments', { method: 'OPTIONS', headers: { ...origin, 'access-control-request-method': 'POST' } });
    expect(report.status).toBe(204);
    expect(report.headers.get('access-control-allow-origin')).toBe('*');
    const posted = await fetch(c.httpUrl + '/v3/segments', { method: 'POST', body: JSON.stringify(makeTrace('cors')), headers: { ...origin, 'content-type': 'application/json' } });
    expect(posted.status).toBe(200);
    expect(posted.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('bounds the logs, meter series, browser pages and error groups answers to 1000 items, with bounded texts', async () => {
    const long = 'x'.repeat(100_000);
    for (let i = 0; i < 1100; i++) {
      c.store.addLog({ service: 'flood', body: { text: { text: long } }, tags: { data: [{ key: 'level', value: 'INFO' }] } });
      c.store.addMeters([{ singleValue: { name: `m${i}`, value: i } }], { service: 'flood', serviceInstance: 'i', timestamp: i });
      c.store.addBrowserPerfData('perf', [{ service: 'flood', pagePath: `/p${i}`, loadPageTime: i }]);
      c.store.addBrowserErrors([{ service: 'flood', message: `m${i}` }]);
    }
    const logs = await (await get('/api/logs/search?limit=100000')).json();
    expect(logs.logs.length).toBeLessThanOrEqual(1000);
    expect(logs.logs.length).toBe(Math.min(1000, logs.matched));
    expect(logs.logs[0].body.length).toBeLessThan(2100);
    expect((await (await get('/api/logs/search')).json()).logs.length).toBe(Math.min(200, logs.matched));
    const series = await (await get('/api/meters/series?limit=5000')).json();
    expect(series.series.length).toBe(Math.min(1000, series.total));
    expect((await (await get('/api/browser/pages?limit=5000')).json()).pages).toHaveLength(1000);
    expect((await (await get('/api/browser/error-groups?limit=0')).json()).groups).toHaveLength(200);
  });

  it('reads //api/traces as /api/traces', async () => {
    const segs = makeTrace('slashes');
    expect((await post('//v3//segments', segs)).status).toBe(200);
    for (const path of ['//api/traces', '//api//traces?limit=5', '///api/traces']) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(Array.isArray(await res.json())).toBe(true);
    }
    const one = await get('//api/traces/' + encodeURIComponent(segs[0]!.traceId));
    expect(one.status).toBe(200);
    expect((await get('//nowhere')).status).toBe(404);
  });
});
