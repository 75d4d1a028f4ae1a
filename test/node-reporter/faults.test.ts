// The agent never harms the host: a dead collector neither keeps the process alive nor
// surfaces errors; TLS and the HTTP protocol work end to end.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { createNodeReporter, Tracer } from '../../src/node/index.js';
import type { SegmentObject } from '../../src/node/index.js';
import { decodeAs } from '../helpers/proto.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const built = existsSync(join(root, 'dist/esm/node/index.js'));

function oneTrace(reporter: { report(s: SegmentObject): void; flush(): Promise<void>; shutdown(): Promise<void> }, op = 'GET:/x') {
  const t = new Tracer({ service: 'svc', serviceInstance: 'i', reporter });
  const ctx = t.createTracingContext();
  ctx.createEntrySpan(op).end();
}

async function closedPort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('faults', () => {
  it.skipIf(!built)('lets an app with a dead collector exit on its own, without errors', async () => {
    const port = await closedPort();
    const t0 = Date.now();
    const child = spawn(process.execPath, [join(root, 'test/fixtures/node/dead-collector.mjs')], { cwd: root, env: { ...process.env, COLLECTOR: `127.0.0.1:${port}` } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.on('exit', (c) => {
        clearTimeout(kill);
        resolve(c);
      });
    });
    expect(out).toContain('served');
    expect(out).not.toContain('UNHANDLED');
    expect(code).toBe(0);
    // beforeExit's final flush is bounded: the process is gone well before the kill timer.
    expect(Date.now() - t0).toBeLessThan(12_000);
  }, 20_000);
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

  it('reports JSON to /v3/segments with protocol http, never tracing itself', async () => {
    const bodies: unknown[] = [];
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
    const reporter = createNodeReporter({ service: 'svc', serviceInstance: 'i', collector: `127.0.0.1:${port}`, protocol: 'http', authentication: 'tok', flushIntervalMs: 10 });
    oneTrace(reporter, 'GET:/one');
    oneTrace(reporter, 'GET:/two');
    await reporter.flush(5000);
    await reporter.shutdown(1000);
    server.close();
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatchObject({ url: '/v3/segments', type: 'application/json', auth: 'tok' });
    expect((bodies[0] as { body: SegmentObject[] }).body.map((s) => s.spans[0]!.operationName)).toEqual(['GET:/one', 'GET:/two']);
  });
});
