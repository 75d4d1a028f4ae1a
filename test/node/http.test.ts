import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InMemoryReporter, start } from '../../src/node/index.js';
import type { NodeAgent, SegmentObject } from '../../src/node/index.js';
import { sleep, waitFor } from '../helpers/wait.js';

const reporter = new InMemoryReporter();
let agent: NodeAgent;
let api: http.Server;
let down: http.Server;
let apiUrl: string;
let downPort: number;
const originalRequest = http.request;
const originalGet = http.get;

const listen = (s: http.Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));

/** Segments whose entry span is named `name`. */
const byEntry = (name: string) => reporter.segments.filter((s) => s.spans[0]?.spanType === 'Entry' && s.spans[0].operationName === name);

beforeAll(async () => {
  agent = start({ service: 'orders', serviceInstance: 'orders-1', reporter, flushOnExit: false, traceWithoutParent: false });
  down = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url?.startsWith('/fail')) res.statusCode = 503;
    res.end(JSON.stringify({ sw8: req.headers.sw8 ?? null, url: req.url }));
  });
  downPort = await listen(down);
  api = http.createServer((req, res) => void handleApi(req, res));
  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    try {
      if (url.pathname.startsWith('/chain/')) {
        const id = url.pathname.slice('/chain/'.length);
        await sleep(Math.random() * 5);
        const viaFetch = await (await fetch(`http://127.0.0.1:${downPort}/echo?id=${id}`, { headers: { sw8: 'forged' } })).json();
        await sleep(Math.random() * 5);
        const viaHttp = await new Promise<string>((resolve, reject) =>
          http
            .get({ host: '127.0.0.1', port: downPort, path: `/get?id=${id}` }, (r) => {
              let body = '';
              r.on('data', (d) => (body += d));
              r.on('end', () => resolve(body));
            })
            .on('error', reject),
        );
        res.end(JSON.stringify({ viaFetch, viaHttp: JSON.parse(viaHttp) }));
      } else if (url.pathname === '/fail') {
        await fetch(`http://127.0.0.1:${downPort}/fail`);
        res.statusCode = 500;
        res.end('no');
      } else if (url.pathname === '/local') {
        await agent.withSpan('compute', async (span) => {
          span.tag('k', 'v');
          await sleep(2);
        });
        res.end('ok');
      } else res.end('ok');
    } catch (err) {
      res.statusCode = 599;
      res.end(String(err));
    }
  }
  apiUrl = `http://127.0.0.1:${await listen(api)}`;
});

afterAll(async () => {
  await agent.shutdown();
  api.close();
  down.close();
});

beforeEach(() => reporter.clear());

describe('node http instrumentation', () => {
  it('traces an incoming request and its fetch and http.get calls as one trace', async () => {
    const res = await (await fetch(`${apiUrl}/chain/7?token=secret&x=1`)).json();
    await waitFor(() => byEntry('GET:/chain/7').length === 1 && byEntry('GET:/echo').length === 1 && byEntry('GET:/get').length === 1);
    const [a] = byEntry('GET:/chain/7') as [SegmentObject];
    const entry = a.spans[0]!;
    expect(entry).toMatchObject({ spanId: 0, parentSpanId: -1, spanType: 'Entry', spanLayer: 'Http', componentId: 49, isError: false, refs: [] });
    const tags = Object.fromEntries(entry.tags.map((t) => [t.key, t.value]));
    expect(tags['http.method']).toBe('GET');
    expect(tags['http.status_code']).toBe('200');
    expect(tags.url).toBe(`${apiUrl}/chain/7?token=***&x=1`);
    expect(entry.peer).toMatch(/^127\.0\.0\.1:\d+$/);

    const exits = a.spans.filter((s) => s.spanType === 'Exit');
    expect(exits.map((s) => s.operationName).sort()).toEqual(['/echo', '/get']);
    for (const exit of exits) {
      expect(exit).toMatchObject({ parentSpanId: 0, componentId: 2, spanLayer: 'Http', peer: `127.0.0.1:${downPort}` });
      expect(exit.tags).toContainEqual({ key: 'http.status_code', value: '200' });
    }
    // The caller's forged sw8 was replaced, not appended.
    expect(res.viaFetch.sw8).not.toContain('forged');
    expect(res.viaFetch.sw8.split('-')).toHaveLength(8);

    for (const [name, op] of [['GET:/echo', '/echo'], ['GET:/get', '/get']] as const) {
      const [b] = byEntry(name) as [SegmentObject];
      const exit = exits.find((s) => s.operationName === op)!;
      expect(b.traceId).toBe(a.traceId);
      expect(b.spans[0]!.refs).toEqual([
        {
          refType: 'CrossProcess',
          traceId: a.traceId,
          parentTraceSegmentId: a.traceSegmentId,
          parentSpanId: exit.spanId,
          parentService: 'orders',
          parentServiceInstance: 'orders-1',
          parentEndpoint: 'GET:/chain/7',
          networkAddressUsedAtPeer: exit.peer,
        },
      ]);
    }
  });

  it('keeps 500 concurrent requests apart', async () => {
    const N = 500;
    await Promise.all(Array.from({ length: N }, (_, i) => fetch(`${apiUrl}/chain/${i}`).then((r) => r.json())));
    await waitFor(() => reporter.segments.length >= N * 3, 20_000);
    const bySegment = new Map(reporter.segments.map((s) => [s.traceSegmentId, s]));
    for (let i = 0; i < N; i++) {
      const [a] = byEntry(`GET:/chain/${i}`);
      expect(a, `request ${i}`).toBeDefined();
      expect(a!.spans).toHaveLength(3);
      for (const exit of a!.spans.slice(1)) expect(exit.parentSpanId).toBe(0);
    }
    // Every downstream segment points at an exit span of the request with the same id.
    const downstream = reporter.segments.filter((s) => /^GET:\/(echo|get)$/.test(s.spans[0]!.operationName));
    expect(downstream).toHaveLength(2 * N);
    for (const b of downstream) {
      const id = b.spans[0]!.tags.find((t) => t.key === 'url')!.value.match(/id=(\d+)/)![1];
      const ref = b.spans[0]!.refs[0]!;
      const parent = bySegment.get(ref.parentTraceSegmentId)!;
      expect(parent.spans[0]!.operationName).toBe(`GET:/chain/${id}`);
      expect(parent.spans[ref.parentSpanId]!.spanType).toBe('Exit');
      expect(b.traceId).toBe(parent.traceId);
    }
  });

  it('serves requests with hostile sw8 headers and starts new traces', async () => {
    const hostile = ['', '1', '1-a-b-c-d-e-f-g', '1-' + 'A'.repeat(3000), '2-YQ==-YQ==-0-YQ==-YQ==-YQ==-YQ==', '1-YQ==-YQ==-x-YQ==-YQ==-YQ==-YQ==', '1-YQ-YQ==-0-YQ==-YQ==-YQ==-YQ==', '\u0000\uffff'];
    for (const value of hostile) {
      const res = await new Promise<number>((resolve, reject) => {
        const req = http.get(`${apiUrl}/plain`, { headers: { sw8: value.replace(/[^\x20-\x7e]/g, '?') } }, (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        });
        req.on('error', reject);
      });
      expect(res).toBe(200);
    }
    await waitFor(() => byEntry('GET:/plain').length === hostile.length);
    for (const s of byEntry('GET:/plain')) expect(s.spans[0]!.refs).toEqual([]);
  });

  it('marks server and client errors', async () => {
    await fetch(`${apiUrl}/fail`);
    // The downstream's entry is also GET:/fail: the caller's segment is the one without refs.
    const callerSegments = () => byEntry('GET:/fail').filter((s) => s.spans[0]!.refs.length === 0);
    await waitFor(() => callerSegments().length === 1 && byEntry('GET:/fail').length === 2);
    const [a] = callerSegments() as [SegmentObject];
    expect(a.spans[0]).toMatchObject({ isError: true });
    expect(a.spans[0]!.tags).toContainEqual({ key: 'http.status_code', value: '500' });
    expect(a.spans[1]).toMatchObject({ spanType: 'Exit', isError: true });
  });

  it('records user spans from withSpan under the request', async () => {
    await fetch(`${apiUrl}/local`);
    await waitFor(() => byEntry('GET:/local').length === 1);
    const [a] = byEntry('GET:/local') as [SegmentObject];
    expect(a.spans[1]).toMatchObject({ spanType: 'Local', operationName: 'compute', parentSpanId: 0 });
    expect(a.spans[1]!.tags).toContainEqual({ key: 'k', value: 'v' });
  });

  it('does not trace outgoing requests outside a traced request', async () => {
    await fetch(`http://127.0.0.1:${downPort}/echo?outside`);
    await sleep(50);
    expect(reporter.segments.filter((s) => s.spans.some((x) => x.spanType === 'Exit'))).toHaveLength(0);
  });

  it('is reversible', async () => {
    expect(http.request).not.toBe(originalRequest);
    await agent.shutdown();
    expect(http.request).toBe(originalRequest);
    expect(http.get).toBe(originalGet);
    expect(Object.prototype.hasOwnProperty.call(http.Server.prototype, 'emit')).toBe(false);
    reporter.clear();
    await fetch(`${apiUrl}/plain`);
    await sleep(50);
    expect(reporter.segments).toHaveLength(0);
    agent = start({ service: 'orders', serviceInstance: 'orders-1', reporter, flushOnExit: false });
  });
});
