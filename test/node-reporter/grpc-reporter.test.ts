import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { reportTraces } from '../helpers/traces.js';
import { freePort } from '../helpers/ports.js';
import { createNodeReporter, InMemoryReporter } from '../../src/node/index.js';
import type { NodeReporter } from '../../src/node/index.js';
import { startGrpcCollector, type TestGrpcCollector } from '../helpers/grpc-collector.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});


describe('gRPC reporter', () => {
  let collector: TestGrpcCollector;

  it.each(['http2', 'grpc-js'] as const)('streams segments, instance properties and the token to the collector (%s client)', async (grpcClient) => {
    collector = await startGrpcCollector({ token: 's3cret' });
    cleanup.push(() => collector.close());
    const reporter = createNodeReporter({ service: 'svc', serviceInstance: 'inst', collector: collector.address, authentication: 's3cret', flushIntervalMs: 10, grpcClient });
    cleanup.push(() => reporter.shutdown(1000));
    const mem = new InMemoryReporter();
    reportTraces({ report: (s) => (mem.report(s), reporter.report(s)), flush: () => reporter.flush(), shutdown: () => reporter.shutdown() } as NodeReporter, 25);
    const got = await collector.waitForSegments(25);
    expect(got).toEqual(mem.segments);
    expect(collector.metadata.every((m) => m.authentication === 's3cret')).toBe(true);
    await waitFor(() => collector.properties[0], 10_000, 'the instance properties');
    expect(collector.properties[0]).toMatchObject({ service: 'svc', serviceInstance: 'inst' });
    const props = collector.properties[0]!.properties as Array<{ key: string; value: string }>;
    expect(props).toContainEqual({ key: 'language', value: 'NodeJS' });
    expect(props).toContainEqual({ key: 'Process No.', value: String(process.pid) });
    // The collector has the segments before the reporter hears the call's OK status.
    await waitFor(() => reporter.stats.sent >= 25, 10_000, 'the reporter counting the call as sent');
    expect(reporter.stats).toMatchObject({ sent: 25, dropped: 0 });
  });

  it.each(['http2', 'grpc-js'] as const)('drops with a count on a wrong token and never throws (%s client)', async (grpcClient) => {
    collector = await startGrpcCollector({ token: 'right' });
    cleanup.push(() => collector.close());
    const reporter = createNodeReporter({ service: 'svc', serviceInstance: 'inst', collector: collector.address, authentication: 'wrong', flushIntervalMs: 10, management: false, grpcClient });
    cleanup.push(() => reporter.shutdown(1000));
    reportTraces(reporter, 3);
    await reporter.flush(2000);
    expect(collector.segments).toHaveLength(0);
    expect(reporter.stats.dropped).toBe(3);
  });

  it('keeps a bounded queue while the collector is absent and delivers when it comes back', async () => {
    const port = await freePort();
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    cleanup.push(async () => void process.off('unhandledRejection', onUnhandled));
    const reporter = createNodeReporter({
      service: 'svc',
      serviceInstance: 'inst',
      collector: `127.0.0.1:${port}`,
      flushIntervalMs: 10,
      maxQueueSize: 1000,
      management: false,
      sendTimeoutMs: 500,
    });
    cleanup.push(() => reporter.shutdown(1000));
    reportTraces(reporter, 5000);
    expect(reporter.stats.queued).toBeLessThanOrEqual(1000);
    expect(reporter.stats.dropped).toBeGreaterThanOrEqual(4000);
    await reporter.flush(300);
    collector = await startGrpcCollector({ port });
    cleanup.push(() => collector.close());
    await reporter.flush(10_000);
    await collector.waitForSegments(1000, 15_000);
    reportTraces(reporter, 1, 'GET:/after');
    await reporter.flush(5000);
    await collector.waitForSegments(1001, 5000);
    expect(collector.segments.some((s) => s.spans[0]!.operationName === 'GET:/after')).toBe(true);
    expect(unhandled).toEqual([]);
  });

  it('retries after UNAVAILABLE and survives a hanging collector', async () => {
    collector = await startGrpcCollector();
    cleanup.push(() => collector.close());
    collector.setBehaviour('unavailable');
    const reporter = createNodeReporter({ service: 'svc', serviceInstance: 'inst', collector: collector.address, flushIntervalMs: 10, management: false, sendTimeoutMs: 300 });
    cleanup.push(() => reporter.shutdown(500));
    reportTraces(reporter, 2);
    await reporter.flush(1000);
    expect(collector.segments).toHaveLength(0);
    expect(reporter.stats.queued).toBe(2);
    collector.setBehaviour('hang');
    const t0 = Date.now();
    await reporter.flush(800);
    expect(Date.now() - t0).toBeLessThan(3000);
    collector.setBehaviour('ok');
    await reporter.flush(5000);
    await collector.waitForSegments(2, 10_000);
  });
});
