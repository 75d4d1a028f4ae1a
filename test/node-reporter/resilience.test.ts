// The reporter against a misbehaving OAP: errors, slowness, flapping, wrong tokens, long
// outages. Nothing reaches the app, memory stays bounded, reporting resumes.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sleep, waitFor, waitForAsync } from '../helpers/wait.js';
import { reportTraces } from '../helpers/traces.js';
import { closedPort } from '../helpers/ports.js';
import { createNodeReporter, setDiagLogger } from '../../src/node/index.js';
import type { NodeReporter, SegmentObject } from '../../src/node/index.js';
import { startGrpcCollector } from '../helpers/grpc-collector.js';

const COLLECT = '/skywalking.v3.TraceSegmentReportService/collect';
const cleanup: Array<() => Promise<unknown>> = [];
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
beforeAll(() => void process.on('unhandledRejection', onUnhandled));
afterAll(() => void process.off('unhandledRejection', onUnhandled));
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
  setDiagLogger(undefined, 'none');
  expect(unhandled).toEqual([]);
});



function reporterFor(address: string, extra: Partial<Parameters<typeof createNodeReporter>[0]> = {}): NodeReporter {
  const r = createNodeReporter({ service: 'svc', serviceInstance: 'inst', collector: address, management: false, flushIntervalMs: 20, ...extra });
  cleanup.push(() => r.shutdown(500));
  return r;
}

describe.each(['http2', 'grpc-js'] as const)('gRPC reporter faults (%s client)', (grpcClient) => {
  it('sends a batch as one collect call', async () => {
    const collector = await startGrpcCollector();
    cleanup.push(() => collector.close());
    const reporter = reporterFor(collector.address, { grpcClient, flushIntervalMs: 100 });
    reportTraces(reporter, 50);
    await reporter.flush(5000);
    expect(collector.segments).toHaveLength(50);
    expect(collector.callsByMethod[COLLECT]).toBe(1);
    expect(collector.segments.map((s) => s.spans[0]!.tags[0]!.value)).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
  });

  it('logs a wrong token once, drops the batches with counts, never throws', async () => {
    const warnings: string[] = [];
    setDiagLogger({ error: (m) => warnings.push(m), warn: (m) => warnings.push(m), info: () => {}, debug: () => {} }, 'warn');
    const collector = await startGrpcCollector({ token: 'right' });
    cleanup.push(() => collector.close());
    const reporter = reporterFor(collector.address, { grpcClient, authentication: 'wrong' });
    for (let round = 0; round < 3; round++) {
      reportTraces(reporter, 2);
      await reporter.flush(2000);
    }
    expect(collector.segments).toHaveLength(0);
    expect(reporter.stats).toMatchObject({ dropped: 6, queued: 0, sent: 0 });
    const auth = warnings.filter((w) => w.includes('PERMISSION_DENIED'));
    expect(auth).toHaveLength(1);
    expect(auth[0]).toContain('authentication token');
  });

  it('retries INTERNAL and drops INVALID_ARGUMENT', async () => {
    const collector = await startGrpcCollector({ behaviour: 'internal' });
    cleanup.push(() => collector.close());
    const reporter = reporterFor(collector.address, { grpcClient });
    reportTraces(reporter, 3);
    await reporter.flush(2000);
    expect(reporter.stats).toMatchObject({ queued: 3, dropped: 0 });
    collector.setBehaviour('invalid-argument');
    await reporter.flush(2000);
    expect(reporter.stats).toMatchObject({ queued: 0, dropped: 3 });
    collector.setBehaviour('ok');
    reportTraces(reporter, 1, 'GET:/later');
    await reporter.flush(2000);
    expect(collector.segments.map((s) => s.spans[0]!.operationName)).toEqual(['GET:/later']);
  });

  it('waits for a slow collector within the deadline, and retries past it', async () => {
    const collector = await startGrpcCollector({ behaviour: 'slow', slowMs: 300 });
    cleanup.push(() => collector.close());
    const patient = reporterFor(collector.address, { grpcClient, sendTimeoutMs: 3000 });
    reportTraces(patient, 2);
    await patient.flush(5000);
    expect(patient.stats).toMatchObject({ sent: 2, queued: 0 });

    const hasty = reporterFor(collector.address, { grpcClient, sendTimeoutMs: 100 });
    reportTraces(hasty, 2);
    await hasty.flush(1000);
    expect(hasty.stats.sent).toBe(0);
    expect(hasty.stats.queued).toBe(2);
    expect(hasty.stats.failedSends).toBeGreaterThanOrEqual(1);
  });

  it('keeps one call at a time against an unavailable collector', async () => {
    const collector = await startGrpcCollector({ behaviour: 'unavailable' });
    cleanup.push(() => collector.close());
    const reporter = reporterFor(collector.address, { grpcClient, flushIntervalMs: 1, maxQueueSize: 20_000 });
    // Five full batches waiting: a naive reporter would fire them all, and again each tick.
    const t0 = Date.now();
    reportTraces(reporter, 10_000);
    await waitFor(() => collector.callsByMethod[COLLECT], 10_000, 'the first attempt');
    await sleep(1500); // the window in which retries are counted
    const elapsed = Date.now() - t0;
    // One attempt, then retries after at least 0.5, 1, 2, 4 s (half of the doubling delay):
    // attempts can only start at or after these cumulative times.
    const allowed = [0, 500, 1500, 3500, 7500, 15_500].filter((t) => t <= elapsed).length;
    expect(collector.callsByMethod[COLLECT]).toBeGreaterThanOrEqual(1);
    expect(collector.callsByMethod[COLLECT]).toBeLessThanOrEqual(allowed);
    // Nothing dropped: every segment is queued, except one batch (2000) when a retry happens
    // to be in flight at this moment (a loaded machine moves the retry times).
    expect(reporter.stats.dropped).toBe(0);
    expect([8_000, 10_000]).toContain(reporter.stats.queued);
    collector.setBehaviour('ok');
    // A call sent before the switch may still come back UNAVAILABLE, and a flush stops at a
    // failed send: flush until everything has arrived.
    await waitForAsync(async () => (await reporter.flush(10_000), collector.segments.length >= 10_000), 30_000, 'all 10,000 segments at the recovered collector');
    expect(collector.segments).toHaveLength(10_000);
  });

  it('survives a flapping collector (stopped and restarted on the same port) and resumes', async () => {
    let collector = await startGrpcCollector();
    const port = collector.port;
    cleanup.push(() => collector.close());
    // grpc-js's own reconnect backoff makes the first calls after a restart fail fast; a short
    // retry cap keeps the test quick (the default grows to 30 s).
    const reporter = reporterFor(collector.address, { grpcClient, sendTimeoutMs: 500, maxRetryDelayMs: 500 });
    for (let round = 0; round < 3; round++) {
      reportTraces(reporter, 5, `GET:/up-${round}`);
      await reporter.flush(3000);
      await collector.close();
      reportTraces(reporter, 5, `GET:/down-${round}`);
      await reporter.flush(300);
      collector = await startGrpcCollector({ port });
    }
    reportTraces(reporter, 5, 'GET:/final');
    await reporter.flush(10_000);
    await collector.waitForSegments(5, 10_000);
    const ops = new Set(collector.segments.map((s) => s.spans[0]!.operationName));
    // Segments queued while it was down arrive after it returns.
    expect(ops.has('GET:/final')).toBe(true);
    expect(ops.has('GET:/down-2')).toBe(true);
    expect(reporter.stats.dropped).toBe(0);
  });
});

describe('bounded memory with the collector down', () => {
  it('holds at most maxQueueSize segments while 200,000 are reported', async () => {
    const port = await closedPort();
    const reporter = reporterFor(`127.0.0.1:${port}`, { sendTimeoutMs: 500 });
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    let peakQueue = 0;
    for (let i = 0; i < 20; i++) {
      reportTraces(reporter, 10_000);
      peakQueue = Math.max(peakQueue, reporter.stats.queued);
      await sleep(0);
    }
    global.gc?.();
    const grown = process.memoryUsage().heapUsed - before;
    expect(peakQueue).toBeLessThanOrEqual(10_000);
    expect(reporter.stats.dropped).toBeGreaterThanOrEqual(190_000);
    // 10,000 queued segments of ~200 bytes are ~2 MB; 200,000 kept would be far more.
    expect(grown).toBeLessThan(64 * 1024 * 1024);
  }, 30_000);
});

describe('HTTP reporter faults', () => {
  let server: http.Server;
  let base: string;
  let answer = 200;
  const received: SegmentObject[][] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        if (answer === 200) received.push(JSON.parse(body) as SegmentObject[]);
        res.writeHead(answer, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('retries 503 and 429, drops 400, delivers after recovery', async () => {
    const reporter = reporterFor(base, { protocol: 'http' });
    answer = 503;
    reportTraces(reporter, 2);
    await reporter.flush(1000);
    expect(reporter.stats).toMatchObject({ queued: 2, dropped: 0 });
    answer = 429;
    await reporter.flush(1000);
    expect(reporter.stats).toMatchObject({ queued: 2, dropped: 0 });
    answer = 400;
    await reporter.flush(1000);
    expect(reporter.stats).toMatchObject({ queued: 0, dropped: 2 });
    answer = 200;
    reportTraces(reporter, 3, 'GET:/ok');
    await reporter.flush(1000);
    expect(received.at(-1)!.map((s) => s.spans[0]!.operationName)).toEqual(['GET:/ok', 'GET:/ok', 'GET:/ok']);
  });

  it('retries a refused connection without throwing', async () => {
    const port = await closedPort();
    const reporter = reporterFor(`127.0.0.1:${port}`, { protocol: 'http' });
    reportTraces(reporter, 2);
    await reporter.flush(1000);
    expect(reporter.stats).toMatchObject({ queued: 2, dropped: 0 });
    expect(reporter.stats.failedSends).toBeGreaterThanOrEqual(1);
  });
});

describe('black-holed connection', () => {
  it('abandons a connection that stopped answering and reconnects', async () => {
    const collector = await startGrpcCollector();
    cleanup.push(() => collector.close());
    // A TCP proxy whose existing connections can be frozen (bytes swallowed both ways),
    // as a NAT or load balancer that silently dropped the flow would.
    const pairs: Array<{ frozen: boolean }> = [];
    const proxy = net.createServer((client) => {
      const state = { frozen: false };
      pairs.push(state);
      const upstream = net.connect(collector.port, '127.0.0.1');
      client.on('data', (d) => void (!state.frozen && upstream.write(d)));
      upstream.on('data', (d) => void (!state.frozen && client.write(d)));
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    cleanup.push(() => new Promise((r) => proxy.close(r)));
    const reporter = reporterFor(`127.0.0.1:${(proxy.address() as AddressInfo).port}`, { sendTimeoutMs: 300 });
    reportTraces(reporter, 1, 'GET:/before');
    await reporter.flush(3000);
    expect(collector.segments).toHaveLength(1);
    for (const p of pairs) p.frozen = true;
    reportTraces(reporter, 1, 'GET:/during');
    await reporter.flush(1000);
    expect(reporter.stats.queued).toBe(1);
    // New connections pass again; the frozen one stays frozen.
    await reporter.flush(3000);
    expect(collector.segments.map((s) => s.spans[0]!.operationName)).toEqual(['GET:/before', 'GET:/during']);
    expect(pairs.length).toBeGreaterThanOrEqual(2);
  });
});
