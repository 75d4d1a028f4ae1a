// ManagementService: instance properties at start and every 10th beat, keepAlive on the
// others, best effort, stopped on shutdown.
import { hostname, networkInterfaces, type } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeReporter } from '../../src/node/index.js';
import { startGrpcCollector } from '../helpers/grpc-collector.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await wait(10);
  }
}

describe('ManagementService', () => {
  it('reports the standard and user instance properties, then keepAlive, properties again on the 10th beat', async () => {
    const collector = await startGrpcCollector({ token: 'tok' });
    cleanup.push(() => collector.close());
    const reporter = createNodeReporter({
      service: 'svc-m',
      serviceInstance: 'inst-m',
      collector: collector.address,
      authentication: 'tok',
      keepAliveIntervalMs: 25,
      instanceProperties: { team: 'checkout', region: 'eu-1' },
    });
    cleanup.push(() => reporter.shutdown(500));
    await until(() => collector.management.properties.length >= 2);

    const first = collector.management.properties[0]!;
    expect(first).toMatchObject({ service: 'svc-m', serviceInstance: 'inst-m' });
    const props = first.properties as Array<{ key: string; value: string }>;
    const value = (k: string) => props.filter((p) => p.key === k).map((p) => p.value);
    expect(value('language')).toEqual(['NodeJS']);
    expect(value('OS Name')).toEqual([type()]);
    expect(value('hostname')).toEqual([hostname()]);
    expect(value('Process No.')).toEqual([String(process.pid)]);
    expect(value('team')).toEqual(['checkout']);
    expect(value('region')).toEqual(['eu-1']);
    // Every external IPv4 address is its own `ipv4` entry (OAP's UI lists them).
    const ipv4s = Object.values(networkInterfaces())
      .flatMap((l) => l ?? [])
      .filter((n) => n.family === 'IPv4' && !n.internal)
      .map((n) => n.address);
    expect(value('ipv4')).toEqual(ipv4s);

    // Beats 1..9 are pings, beat 10 is properties again.
    expect(collector.management.pings.length).toBeGreaterThanOrEqual(9);
    expect(collector.management.pings[0]).toMatchObject({ service: 'svc-m', serviceInstance: 'inst-m' });
    expect(collector.metadata.every((m) => m.authentication === 'tok')).toBe(true);
  });

  it('stops beating on shutdown', async () => {
    const collector = await startGrpcCollector();
    cleanup.push(() => collector.close());
    const reporter = createNodeReporter({ service: 's', serviceInstance: 'i', collector: collector.address, keepAliveIntervalMs: 20 });
    await until(() => collector.management.pings.length >= 2);
    await reporter.shutdown(500);
    await wait(30);
    const calls = collector.calls;
    await wait(150);
    expect(collector.calls).toBe(calls);
  });

  it('retries instance properties until they are accepted, without throwing', async () => {
    const collector = await startGrpcCollector({ behaviour: 'unavailable' });
    cleanup.push(() => collector.close());
    const reporter = createNodeReporter({ service: 's', serviceInstance: 'i', collector: collector.address, keepAliveIntervalMs: 20 });
    cleanup.push(() => reporter.shutdown(500));
    await until(() => collector.calls >= 3);
    expect(collector.management.properties).toHaveLength(0);
    // Every failed attempt was a properties call: they must reach OAP before pings matter.
    expect(collector.callsByMethod['/skywalking.v3.ManagementService/keepAlive'] ?? 0).toBe(0);
    collector.setBehaviour('ok');
    await until(() => collector.management.properties.length === 1 && collector.management.pings.length >= 1);
  });

  it('is off with management: false', async () => {
    const collector = await startGrpcCollector();
    cleanup.push(() => collector.close());
    const reporter = createNodeReporter({ service: 's', serviceInstance: 'i', collector: collector.address, keepAliveIntervalMs: 10, management: false });
    await wait(100);
    await reporter.shutdown(500);
    expect(collector.calls).toBe(0);
  });
});
