// TLS to the collector with a private CA, mutual TLS with a client certificate, and the
// refusal of a server the CA did not sign. Certificates are made by openssl in a temp dir.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { createNodeReporter, Tracer } from '../../src/node/index.js';
import type { NodeReporter } from '../../src/node/index.js';
import { startGrpcCollector } from '../helpers/grpc-collector.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-mtls-'));
const file = (n: string) => join(dir, n);
let openssl = true;

function run(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore', cwd: dir });
}

// A CA, a server certificate for localhost/127.0.0.1 and a client certificate, both signed
// by the CA; plus a second, unrelated CA.
beforeAll(() => {
  try {
    run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=test-ca', '-keyout', 'ca.key', '-out', 'ca.pem']);
    run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=other-ca', '-keyout', 'other.key', '-out', 'other.pem']);
    writeFileSync(file('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    for (const who of ['server', 'client']) {
      run(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${who}`, '-keyout', `${who}.key`, '-out', `${who}.csr`]);
      run(['x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-out', `${who}.pem`, ...(who === 'server' ? ['-extfile', 'server.ext'] : [])]);
    }
  } catch {
    openssl = false;
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function oneTrace(reporter: NodeReporter, op: string): void {
  new Tracer({ service: 'svc', serviceInstance: 'i', reporter }).createTracingContext().createEntrySpan(op).end();
}

describe.each(['http2', 'grpc-js'] as const)('TLS (%s client)', (grpcClient) => {
  it('reports with mutual TLS: private CA as a path, client certificate as PEM text', async (ctx) => {
    if (!openssl) {
      console.warn('openssl unavailable: mTLS test skipped');
      return ctx.skip();
    }
    const collector = await startGrpcCollector({
      tls: { key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem')), ca: readFileSync(file('ca.pem')), requireClientCert: true },
    });
    const reporter = createNodeReporter({
      service: 'svc',
      serviceInstance: 'i',
      collector: `localhost:${collector.port}`,
      tls: { ca: file('ca.pem'), cert: readFileSync(file('client.pem'), 'utf8'), key: readFileSync(file('client.key'), 'utf8') },
      flushIntervalMs: 10,
      grpcClient,
    });
    try {
      oneTrace(reporter, 'GET:/mtls');
      await reporter.flush(5000);
      expect(collector.segments.map((s) => s.spans[0]!.operationName)).toEqual(['GET:/mtls']);
      // Management goes over the same authenticated channel.
      await collector.waitForSegments(1);
      await waitFor(() => collector.management.properties.length > 0, 10_000, 'the instance properties over mTLS');
      expect(collector.management.properties).toHaveLength(1);
    } finally {
      await reporter.shutdown(1000);
      await collector.close();
    }
  });

  it('keeps segments queued (no throw) when the client certificate is missing or the server is not trusted', async (ctx) => {
    if (!openssl) return ctx.skip();
    const collector = await startGrpcCollector({
      tls: { key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem')), ca: readFileSync(file('ca.pem')), requireClientCert: true },
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    const noCert = createNodeReporter({ service: 's', serviceInstance: 'i', collector: `localhost:${collector.port}`, tls: { ca: file('ca.pem') }, management: false, flushIntervalMs: 10, grpcClient });
    const wrongCa = createNodeReporter({
      service: 's',
      serviceInstance: 'i',
      collector: `localhost:${collector.port}`,
      tls: { ca: file('other.pem'), cert: file('client.pem'), key: file('client.key') },
      management: false,
      flushIntervalMs: 10,
      grpcClient,
    });
    try {
      for (const r of [noCert, wrongCa]) {
        oneTrace(r, 'GET:/refused');
        await r.flush(2000);
        expect(r.stats).toMatchObject({ sent: 0, queued: 1 });
        expect(r.stats.failedSends).toBeGreaterThanOrEqual(1);
      }
      expect(collector.segments).toHaveLength(0);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await noCert.shutdown(200);
      await wrongCa.shutdown(200);
      await collector.close();
    }
  });
});
