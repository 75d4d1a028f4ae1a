// The agent never harms the host: a dead collector neither keeps the process alive nor
// surfaces errors; TLS and the HTTP protocol work end to end.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { closedPort } from '../helpers/ports.js';
import { requireBuild } from '../helpers/dist.js';
import { createNodeReporter, runSuppressed, start, Tracer } from '../../src/node/index.js';
import type { NodeReporter, SegmentObject } from '../../src/node/index.js';
import { decodeAs } from '../helpers/proto.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function oneTrace(reporter: { report(s: SegmentObject): void; flush(): Promise<void>; shutdown(): Promise<void> }, op = 'GET:/x') {
  const t = new Tracer({ service: 'svc', serviceInstance: 'i', reporter });
  const ctx = t.createTracingContext();
  ctx.createEntrySpan(op).end();
}

/** Runs the dead-collector fixture app; resolves with its exit code and output. */
async function runDeadCollectorApp(env: Record<string, string>, killAfterMs: number): Promise<{ code: number | null; out: string; ms: number }> {
  const t0 = Date.now();
  const child = spawn(process.execPath, ['--expose-gc', join(root, 'test/fixtures/node/dead-collector.mjs')], { cwd: root, env: { ...process.env, ...env } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (c) => {
      clearTimeout(kill);
      resolve(c);
    });
  });
  return { code, out, ms: Date.now() - t0 };
}

describe('faults', () => {
  it('lets an app with a dead collector exit on its own, without errors', async () => {
    requireBuild('dist/esm/node/index.js');
    const { code, out, ms } = await runDeadCollectorApp({ COLLECTOR: `127.0.0.1:${await closedPort()}` }, 15_000);
    expect(out).toContain('served');
    expect(out).not.toContain('UNHANDLED');
    expect(code).toBe(0);
    // beforeExit's final flush is bounded: the process is gone well before the kill timer.
    expect(ms).toBeLessThan(12_000);
  }, 20_000);

  it('keeps memory bounded and throws nothing in an app under load with the collector down', async () => {
    requireBuild('dist/esm/node/index.js');
    const { code, out } = await runDeadCollectorApp({ COLLECTOR: `127.0.0.1:${await closedPort()}`, LOAD_MS: '4000', MAX_BUFFER: '1000' }, 25_000);
    expect(out).not.toContain('UNHANDLED');
    expect(code).toBe(0);
    const line = out.split('\n').find((l) => l.startsWith('load '));
    expect(line, out).toBeDefined();
    const load = JSON.parse(line!.slice(5)) as { served: number; rss: number[]; heap: number[]; stats: { queued: number; dropped: number } };
    expect(load.served).toBeGreaterThan(500);
    // The queue holds at most maxBufferSize segments; the rest are dropped and counted.
    expect(load.stats.queued).toBeLessThanOrEqual(1000);
    expect(load.stats.queued + load.stats.dropped).toBeGreaterThan(500);
    const mb = (xs: number[]) => xs.map((x) => Math.round(x / 1e6)).join(' → ') + ' MB';
    // From the first second (queue already full) to the end. The live heap after a full GC
    // is what a leak would grow (a few KB per request kept = tens of MB here); RSS also
    // carries allocator and undici slack, so its bound is generous.
    expect(load.heap.at(-1)! - load.heap[0]!, `heap ${mb(load.heap)}`).toBeLessThan(10 * 1024 * 1024);
    expect(load.rss.at(-1)! - load.rss[0]!, `rss ${mb(load.rss)}`).toBeLessThan(128 * 1024 * 1024);
  }, 30_000);
});

describe('transports', () => {
  it('reports over TLS with a private CA', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    } catch {
      console.warn('openssl unavailable: TLS test skipped');
      return;
    }
    const server = new grpc.Server();
    const got: SegmentObject[] = [];
    const raw = (b: Buffer) => b;
    server.addService(
      { collect: { path: '/skywalking.v3.TraceSegmentReportService/collect', requestStream: true, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw } },
      {
        collect: (call: grpc.ServerReadableStream<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
          call.on('data', (b: Buffer) => got.push(decodeAs('SegmentObject', b) as unknown as SegmentObject));
          call.on('end', () => cb(null, Buffer.alloc(0)));
        },
      },
    );
    const creds = grpc.ServerCredentials.createSsl(null, [{ private_key: readFileSync(join(dir, 'key.pem')), cert_chain: readFileSync(join(dir, 'cert.pem')) }]);
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', creds, (e, p) => (e ? reject(e) : resolve(p))));
    const reporter = createNodeReporter({ service: 'svc', serviceInstance: 'i', collector: `localhost:${port}`, secure: true, tls: { ca: join(dir, 'cert.pem') }, management: false, flushIntervalMs: 10 });
    oneTrace(reporter, 'GET:/tls');
    await reporter.flush(5000);
    await reporter.shutdown(1000);
    server.forceShutdown();
    expect(got.map((s) => s.spans[0]!.operationName)).toEqual(['GET:/tls']);
  });

  it('reports JSON to /v3/segments with protocol http', async () => {
    const bodies: Array<{ url?: string; type?: string; auth?: string | string[]; body: unknown }> = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        bodies.push({ url: req.url, type: req.headers['content-type'], auth: req.headers.authentication, body: JSON.parse(body) });
        res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    const reporter = createNodeReporter({ service: 'svc', serviceInstance: 'i', collector: `127.0.0.1:${port}`, protocol: 'http', authentication: 'tok', flushIntervalMs: 10, management: false });
    oneTrace(reporter, 'GET:/one');
    oneTrace(reporter, 'GET:/two');
    await reporter.flush(5000);
    await reporter.shutdown(1000);
    server.close();
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatchObject({ url: '/v3/segments', type: 'application/json', auth: 'tok' });
    expect((bodies[0] as { body: SegmentObject[] }).body.map((s) => s.spans[0]!.operationName)).toEqual(['GET:/one', 'GET:/two']);
  });

  // The agent instruments http.request, and with traceWithoutParent even a request made
  // outside any trace would be a span: only the suppression of the reporter's own requests
  // (segments, management, forwarded browser data) keeps them out of what it reports.
  it('never traces its own reporting requests while instrumentation is active (protocol http)', async () => {
    const received: Array<{ path: string; body: unknown }> = [];
    const collector = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: JSON.parse(body) as unknown });
        res.end('{}');
      });
    });
    // Listening suppressed: the in-process collector's side of each request is not the
    // app's traffic either (in production OAP is another process).
    await runSuppressed(() => new Promise<void>((r) => collector.listen(0, '127.0.0.1', () => r())));
    const agent = start({
      service: 'self',
      serviceInstance: 'self-1',
      collector: `127.0.0.1:${(collector.address() as AddressInfo).port}`,
      protocol: 'http',
      traceWithoutParent: true,
      flushIntervalMs: 10,
      flushOnExit: false,
      logLevel: 'none',
    });
    const app = http.createServer((req, res) => {
      // Browser data forwarded from inside a traced request, as the ingest handler does.
      (agent.reporter as NodeReporter).forwardBrowserData!('/browser/errorLogs', [{ service: 'web', serviceVersion: '1', pagePath: '/p', message: 'x' }]);
      res.end('ok');
    });
    try {
      await new Promise<void>((r) => app.listen(0, '127.0.0.1', () => r()));
      // The test's own calls to the app are suppressed too: only the app's entries are expected.
      for (let i = 0; i < 3; i++) await runSuppressed(async () => (await fetch(`http://127.0.0.1:${(app.address() as AddressInfo).port}/app`)).text());
      await agent.flush(2000);
      // Time for the reporter's requests to have become segments and been reported, were they traced.
      await new Promise((r) => setTimeout(r, 300));
      await agent.flush(2000);
      const paths = new Set(received.map((r) => r.path));
      expect([...paths].sort()).toEqual(['/browser/errorLogs', '/v3/management/reportProperties', '/v3/segments']);
      const segments = received.filter((r) => r.path === '/v3/segments').flatMap((r) => r.body as SegmentObject[]);
      expect(segments.map((s) => s.spans.map((sp) => sp.operationName).join(','))).toEqual(['GET:/app', 'GET:/app', 'GET:/app']);
    } finally {
      await agent.shutdown(1000);
      app.close();
      collector.close();
    }
  });
});
