// Browser data the ingest handler passes on (perf data, error logs) is best effort: while
// OAP fails, the reporter holds it back (one probe per backoff window) instead of opening
// a connection per report, counts what it drops, and forwards again once OAP answers.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector } from '../../src/collector/index.js';
import { createNodeReporter } from '../../src/node/index.js';
import type { NodeReporter } from '../../src/node/index.js';
import { sleep, waitFor } from '../helpers/wait.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** Accepts TCP connections and closes them at once: a collector that is down behind a load balancer. */
async function slammingDoor(): Promise<{ address: string; connections: () => number }> {
  let n = 0;
  const server = net.createServer((sock) => {
    n++;
    sock.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanup.push(() => new Promise((r) => server.close(r)));
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => n };
}

const errorLog = (i: number) => ({ service: 'web', serviceVersion: '1.0', pagePath: '/p', category: 'js', grade: 'Error', message: `boom ${i}`, line: 1, col: 1, stack: '', errorUrl: '/p.js', firstReportedError: false, time: 1_700_000_000_000 });

function reporterFor(protocol: 'grpc' | 'http', collector: string, retryDelayMs?: number): NodeReporter {
  const r = createNodeReporter({ service: 'api', serviceInstance: 'api-1', collector, protocol, management: false, retryDelayMs, sendTimeoutMs: 2000 });
  cleanup.push(() => r.shutdown(200));
  return r;
}

describe('browser data forwarding against a failing OAP', () => {
  it.each(['grpc', 'http'] as const)('%s: holds reports back while OAP fails instead of connecting for each', async (protocol) => {
    const door = await slammingDoor();
    const reporter = reporterFor(protocol, door.address);
    const reports = 300;
    // ~1.5 s of reports, one every 5 ms, as a busy page fleet would send them.
    for (let i = 0; i < reports; i++) {
      reporter.forwardBrowserData!('/browser/errorLogs', [errorLog(i)]);
      await sleep(5);
    }
    await waitFor(() => reporter.browserStats!.dropped === reports, 5000);
    expect(reporter.browserStats).toEqual({ forwarded: 0, dropped: reports });
    // The first failure closes the gate for 0.5-1 s, a failed probe for 1-2 s: a handful of
    // connections, not one per report.
    expect(door.connections()).toBeGreaterThan(0);
    expect(door.connections()).toBeLessThanOrEqual(6);
  });

  it('forwards again once OAP answers, after the backoff window', async () => {
    let broken = true;
    const bodies: unknown[] = [];
    const server = http.createServer((req, res) => {
      if (broken) return void req.socket.destroy();
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        bodies.push({ path: req.url, body: JSON.parse(body) as unknown });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanup.push(() => new Promise((r) => server.close(r)));
    // A 500-1000 ms window: wide enough that noticing the failure (polled) and forwarding
    // again lands inside it on a busy machine too.
    const reporter = reporterFor('http', `127.0.0.1:${(server.address() as AddressInfo).port}`, 1000);
    reporter.forwardBrowserData!('/browser/errorLogs', [errorLog(0)]);
    await waitFor(() => reporter.browserStats!.dropped === 1);
    // Inside the window: held back without a connection.
    reporter.forwardBrowserData!('/browser/errorLogs', [errorLog(1)]);
    expect(reporter.browserStats).toEqual({ forwarded: 0, dropped: 2 });
    broken = false;
    await sleep(1050); // the window passes (time itself is what is waited for)
    reporter.forwardBrowserData!('/browser/errorLogs', [errorLog(2), errorLog(3)]);
    await waitFor(() => reporter.browserStats!.forwarded === 2);
    for (let i = 4; i < 8; i++) reporter.forwardBrowserData!('/browser/errorLog', [errorLog(i)]);
    await waitFor(() => reporter.browserStats!.forwarded === 6);
    expect(reporter.browserStats!.dropped).toBe(2);
    expect(bodies[0]).toEqual({ path: '/browser/errorLogs', body: [errorLog(2), errorLog(3)] });
    expect(bodies.slice(1).map((b) => (b as { path: string }).path)).toEqual(Array(4).fill('/browser/errorLog'));
  });
});

describe('browser data forwarding while OAP answers', () => {
  // What skywalking-client-js posts to /browser/perfData/resources: one item per resource.
  const resource = (i: number) => ({ service: 'web', serviceVersion: '1.0', pagePath: '/p', name: `https://cdn.example/r${i}.js`, duration: 12, size: 3400, protocol: 'h2', type: 'script' });

  it('grpc: forwards every item of a 30-item resources report to a real collector', async () => {
    const collector = await startCollector({ grpcPort: 0, httpPort: 0 });
    cleanup.push(() => collector.close());
    const reporter = reporterFor('grpc', collector.grpcAddress);
    reporter.forwardBrowserData!('/browser/perfData/resources', Array.from({ length: 30 }, (_, i) => resource(i)));
    await waitFor(() => reporter.browserStats!.forwarded + reporter.browserStats!.dropped === 30);
    expect(reporter.browserStats).toEqual({ forwarded: 30, dropped: 0 });
    expect(collector.store.counts.browserPerf).toBe(30);
  });

  it('grpc: several reports at once (hundreds of items) all arrive; the queue is bounded by count', async () => {
    const collector = await startCollector({ grpcPort: 0, httpPort: 0 });
    cleanup.push(() => collector.close());
    const reporter = reporterFor('grpc', collector.grpcAddress);
    for (let r = 0; r < 10; r++) reporter.forwardBrowserData!('/browser/perfData/resources', Array.from({ length: 30 }, (_, i) => resource(i)));
    await waitFor(() => reporter.browserStats!.forwarded === 300);
    expect(reporter.browserStats).toEqual({ forwarded: 300, dropped: 0 });
    // Far more than the queue holds, at once: the rest is dropped and counted, never queued.
    const many = Array.from({ length: 5000 }, (_, i) => resource(i));
    reporter.forwardBrowserData!('/browser/perfData/resources', many);
    await waitFor(() => reporter.browserStats!.forwarded + reporter.browserStats!.dropped === 5300, 20_000);
    expect(reporter.browserStats!.dropped).toBeGreaterThan(0);
    expect(reporter.browserStats!.forwarded).toBeGreaterThanOrEqual(300 + 1000);
  });
});
