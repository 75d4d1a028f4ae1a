// Frameworks on top of node:http: Express and Fastify requests are named by route
// template, and the ingest handler mounts in Express, Koa, Fastify and plain node:http.
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSegments } from '../helpers/traces.js';
import { createIngestHandler, encodeSegmentCollection, InMemoryReporter, start } from '../../src/node/index.js';
import type { NodeAgent, SegmentObject } from '../../src/node/index.js';
import { sleep, waitFor } from '../helpers/wait.js';

const reporter = new InMemoryReporter();
const forwarded = new InMemoryReporter();
let agent: NodeAgent;
const servers: Array<{ close(): unknown }> = [];

const listen = async (s: http.Server) => {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  servers.push(s);
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
};
/** A Koa callback as an http listener: Koa settles its own promise (errors become responses). */
const asListener = (cb: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>): http.RequestListener => (req, res) => void cb(req, res);
const entry = (op: string) => reporter.segments.find((s) => s.spans[0]!.operationName === op);

const grpcWebBody = (segs: SegmentObject[]) => {
  const msg = encodeSegmentCollection(segs);
  const b = Buffer.alloc(5 + msg.length);
  b.writeUInt32BE(msg.length, 1);
  b.set(msg, 5);
  return b;
};

beforeAll(() => {
  agent = start({ service: 'fw', serviceInstance: 'fw-1', reporter, flushOnExit: false });
});
afterAll(async () => {
  for (const s of servers) s.close();
  await agent.shutdown();
});

describe('route templates', () => {
  it('names Express requests by route, mounted routers included', async () => {
    const app = express();
    const router = express.Router();
    router.get('/users/:id', (_req, res) => void res.json({ ok: true }));
    app.use('/api', router);
    const url = await listen(http.createServer(app));
    await fetch(`${url}/api/users/42?x=1`);
    const seg = await waitFor(() => entry('GET:/api/users/:id'));
    expect(seg.spans[0]!.tags).toContainEqual({ key: 'http.status_code', value: '200' });
  });

  it('sends the route template as the parent endpoint of downstream calls', async () => {
    const down = await listen(http.createServer((_req, res) => void res.end('ok')));
    const app = express();
    app.get('/orders/:id', async (_req, res) => void res.send(await (await fetch(`${down}/stock`)).text()));
    const url = await listen(http.createServer(app));
    const fa = Fastify();
    fa.get('/carts/:id', async () => (await fetch(`${down}/cart-stock`)).text());
    await fa.listen({ port: 0, host: '127.0.0.1' });
    servers.push({ close: () => fa.close() });
    expect(await (await fetch(`${url}/orders/9`)).text()).toBe('ok');
    expect(await (await fetch(`http://127.0.0.1:${(fa.server.address() as AddressInfo).port}/carts/5`)).text()).toBe('ok');
    for (const [route, downstream] of [['GET:/orders/:id', 'GET:/stock'], ['GET:/carts/:id', 'GET:/cart-stock']]) {
      const caller = await waitFor(() => entry(route!));
      const callee = await waitFor(() => entry(downstream!));
      expect(callee.spans[0]!.refs[0]).toMatchObject({ parentTraceSegmentId: caller.traceSegmentId, parentEndpoint: route });
    }
  });

  it('names Fastify requests by route', async () => {
    const app = Fastify();
    app.get('/items/:sku', async () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    servers.push({ close: () => app.close() });
    const { port } = app.server.address() as AddressInfo;
    await fetch(`http://127.0.0.1:${port}/items/abc`);
    await waitFor(() => entry('GET:/items/:sku'));
  });
});

describe('unmatched routes', () => {
  it('names Express and Fastify 404s that matched no route METHOD:/{unmatched}, and leaves plain node:http alone', async () => {
    const app = express();
    app.get('/users/:id', (_req, res) => void res.status(404).json({ missing: true }));
    const ex = await listen(http.createServer(app));
    const fa = Fastify();
    fa.get('/items/:sku', async () => 'ok');
    await fa.listen({ port: 0, host: '127.0.0.1' });
    servers.push({ close: () => fa.close() });
    const fy = `http://127.0.0.1:${(fa.server.address() as AddressInfo).port}`;
    const plain = await listen(http.createServer((_req, res) => void res.writeHead(404).end()));
    reporter.clear();
    for (const url of [`${ex}/wp-admin/setup.php`, `${ex}/.env`, `${fy}/admin/config.php`, `${ex}/users/7`, `${plain}/no/such/thing`]) expect((await fetch(url)).status).toBe(404);
    const unmatched = await waitFor(() => {
      const s = reporter.segments.filter((x) => x.spans[0]!.operationName === 'GET:/{unmatched}');
      return s.length === 3 && s;
    });
    // The raw path is still in the url tag.
    expect(unmatched.map((s) => new URL(s.spans[0]!.tags.find((t) => t.key === 'url')!.value).pathname).sort()).toEqual(['/.env', '/admin/config.php', '/wp-admin/setup.php']);
    // A matched route answering 404 keeps its template; plain node:http keeps the path.
    await waitFor(() => entry('GET:/users/:id'));
    await waitFor(() => entry('GET:/no/such/thing'));
  });
});

describe('ingest handler', () => {
  const ingest = createIngestHandler({ basePath: '/skywalking', reporter: forwarded });

  it('forwards gRPC-web and JSON reports from Express, Koa, Fastify and node:http, untraced', async () => {
    const ex = express();
    ex.use(ingest);
    ex.get('/other', (_q, r) => void r.send('other'));
    const koa = new Koa();
    koa.use(ingest.koa());
    const fa = Fastify();
    fa.addHook('onRequest', ingest.fastify());
    await fa.listen({ port: 0, host: '127.0.0.1' });
    servers.push({ close: () => fa.close() });
    const urls = [
      await listen(http.createServer(ex)),
      await listen(http.createServer(asListener(koa.callback()))),
      `http://127.0.0.1:${(fa.server.address() as AddressInfo).port}`,
      await listen(http.createServer((req, res) => void (ingest(req, res) || res.end('app')))),
    ];
    reporter.clear();
    for (const url of urls) {
      const segs = browserSegments();
      const res = await fetch(`${url}/skywalking/skywalking.v3.TraceSegmentReportService/collectInSync`, {
        method: 'POST',
        body: grpcWebBody(segs),
        headers: { 'content-type': 'application/grpc-web+proto', 'x-grpc-web': '1' },
      });
      expect(res.headers.get('grpc-status') ?? '0', url).toBe('0');
      expect(new Uint8Array(await res.arrayBuffer()).at(-1)).toBeDefined();
      expect(forwarded.segments.at(-1)).toEqual(segs[0]);
      const json = browserSegments();
      const r2 = await fetch(`${url}/skywalking/v3/segments`, { method: 'POST', body: JSON.stringify(json), headers: { 'content-type': 'application/json' } });
      expect(r2.status, url).toBe(200);
      expect(forwarded.segments.at(-1)).toEqual(json[0]);
    }
    expect(await (await fetch(`${urls[0]}/other`)).text()).toBe('other');
    await sleep(50);
    // The reports themselves were not traced as requests of the app.
    expect(reporter.segments.filter((s) => s.spans[0]!.operationName.includes('skywalking'))).toEqual([]);
  });

  it('leaves the app traced under its base path: only the report routes are the agent\'s own', async () => {
    const atRoot = createIngestHandler({ basePath: '/', reporter: forwarded, ratePerSecond: 0 });
    const underApi = createIngestHandler({ basePath: '/api', reporter: forwarded, ratePerSecond: 0 });
    const url = await listen(http.createServer((req, res) => void (atRoot(req, res) || underApi(req, res) || res.end('app'))));
    reporter.clear();
    for (const path of ['/orders/1', '/api/orders/1', '/api/v3', '/v3/segmentsx']) expect(await (await fetch(url + path)).text()).toBe('app');
    for (const path of ['/v3/segments', '/api/v3/segments']) {
      const r = await fetch(url + path, { method: 'POST', body: JSON.stringify(browserSegments()), headers: { 'content-type': 'application/json' } });
      expect(r.status, path).toBe(200);
    }
    for (const op of ['GET:/orders/1', 'GET:/api/orders/1', 'GET:/api/v3', 'GET:/v3/segmentsx']) await waitFor(() => entry(op));
    await sleep(50);
    expect(reporter.segments.map((s) => s.spans[0]!.operationName).filter((op) => op.includes('segments') && !op.endsWith('x'))).toEqual([]);
  });

  it('rejects bad reports and rate-limits a noisy client', async () => {
    const own = createIngestHandler({ basePath: '/skywalking', reporter: forwarded, ratePerSecond: 5 });
    const url = await listen(http.createServer((req, res) => void (own(req, res) || res.end('app'))));
    const post = (body: BodyInit, type: string, path = '/skywalking/v3/segments') => fetch(url + path, { method: 'POST', body, headers: { 'content-type': type } });
    expect((await post('nope', 'application/json')).status).toBe(400);
    expect((await post('[]', 'text/plain')).status).toBe(415);
    expect((await post(JSON.stringify([{ traceId: 't', spans: [] }]), 'application/json')).status).toBe(400);
    expect((await post('x'.repeat(2 * 1024 * 1024), 'application/json')).status).toBe(413);
    const bad = await post(Buffer.from([0, 0, 0, 9, 1]), 'application/grpc-web+proto', '/skywalking/skywalking.v3.TraceSegmentReportService/collectInSync');
    expect(bad.headers.get('grpc-status')).toBe('3');
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push((await post(JSON.stringify(browserSegments()), 'application/json')).status);
    expect(statuses).toContain(429);
    expect((await fetch(url + '/elsewhere')).status).toBe(200);
  });
});

describe('ingest handler forwarding browser data', () => {
  it('sends /browser/* perf data and error logs on to OAP over gRPC and HTTP', async () => {
    const { startCollector } = await import('../../src/collector/index.js');
    const { createNodeReporter } = await import('../../src/node/index.js');
    const c = await startCollector({ grpcPort: 0, httpPort: 0 });
    try {
      for (const protocol of ['grpc', 'http'] as const) {
        const reporter = createNodeReporter({ service: 's', serviceInstance: 'i', collector: protocol === 'grpc' ? c.grpcAddress : c.httpUrl, protocol, management: false });
        const ingest = createIngestHandler({ reporter });
        const url = await listen(http.createServer((req, res) => void (ingest(req, res) || res.end('app'))));
        const post = (path: string, body: unknown) => fetch(url + '/skywalking' + path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
        const before = { ...c.store.counts };
        expect((await post('/browser/errorLogs', [{ service: 'web', serviceVersion: '1', pagePath: '/', category: 'js', grade: 'Error', message: 'boom', line: 3 }])).status).toBe(200);
        expect((await post('/browser/perfData', { service: 'web', serviceVersion: '1', pagePath: '/', fmpTime: 120 })).status).toBe(200);
        await waitFor(() => c.store.counts.browserErrors === before.browserErrors + 1 && c.store.counts.browserPerf === before.browserPerf + 1);
        expect(c.store.browserErrors.at(-1)).toMatchObject({ message: 'boom', category: 'js' });
        await reporter.shutdown(1000);
      }
    } finally {
      await c.close();
    }
  });
});

describe('handler errors', () => {
  // The entry span of a request whose handler threw (or rejected) logs the error itself.
  const errorLog = async (route: string, message: string) => {
    const seg = await waitFor(() => entry(route));
    const span = seg.spans[0]!;
    expect(span.isError, route).toBe(true);
    expect(span.tags).toContainEqual({ key: 'http.status_code', value: '500' });
    const fields = Object.fromEntries(span.logs.flatMap((l) => l.data.map((d) => [d.key, d.value])));
    expect(fields, route).toMatchObject({ event: 'error', 'error.kind': 'Error', message });
    expect(fields.stack, route).toContain(message);
    expect(fields.stack, route).toContain('frameworks.test');
  };

  it('records what an Express handler threw or rejected with on the entry span', async () => {
    const app = express();
    app.get('/ex/sync', () => {
      throw new Error('express sync boom');
    });
    app.get('/ex/async', async () => {
      await Promise.resolve();
      throw new Error('express async boom');
    });
    const url = await listen(http.createServer(app));
    for (const p of ['/ex/sync', '/ex/async']) expect((await fetch(url + p)).status).toBe(500);
    await errorLog('GET:/ex/sync', 'express sync boom');
    await errorLog('GET:/ex/async', 'express async boom');
  });

  it('leaves an error alone that the app\'s error handler answered below the error threshold', async () => {
    const app = express();
    app.get('/ex/recovered', () => {
      throw new Error('handled');
    });
    app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(200).send('fine'));
    const url = await listen(http.createServer(app));
    expect(await (await fetch(url + '/ex/recovered')).text()).toBe('fine');
    const span = (await waitFor(() => entry('GET:/ex/recovered'))).spans[0]!;
    expect(span.isError).toBe(false);
    expect(span.logs).toEqual([]);
  });

  it('records what a Fastify handler threw or rejected with on the entry span', async () => {
    const app = Fastify();
    app.get('/fy/sync', () => {
      throw new Error('fastify sync boom');
    });
    app.get('/fy/async', async () => {
      await Promise.resolve();
      throw new Error('fastify async boom');
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    servers.push({ close: () => app.close() });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    for (const p of ['/fy/sync', '/fy/async']) expect((await fetch(url + p)).status).toBe(500);
    await errorLog('GET:/fy/sync', 'fastify sync boom');
    await errorLog('GET:/fy/async', 'fastify async boom');
  });

  it('records what a Koa middleware threw or rejected with on the entry span (Koa loaded before and after start)', async () => {
    // A second copy of Koa, loaded after the agent started (the usual order in an app).
    const require = createRequire(import.meta.url);
    for (const k of Object.keys(require.cache)) if (/[\\/]koa[\\/]lib[\\/]/.test(k)) delete require.cache[k];
    const LateKoa = require('koa') as typeof Koa;
    expect(LateKoa).not.toBe(Koa);
    for (const [name, K] of [['early', Koa], ['late', LateKoa]] as const) {
      const app = new K();
      app.silent = true;
      app.use(async (ctx) => {
        if (ctx.path.endsWith('/sync')) throw new Error(`koa ${name} sync boom`);
        await Promise.resolve();
        throw new Error(`koa ${name} async boom`);
      });
      const url = await listen(http.createServer(asListener(app.callback())));
      for (const p of ['sync', 'async']) expect((await fetch(`${url}/koa-${name}/${p}`)).status).toBe(500);
      await errorLog(`GET:/koa-${name}/sync`, `koa ${name} sync boom`);
      await errorLog(`GET:/koa-${name}/async`, `koa ${name} async boom`);
    }
  });
});
