// ManagementService: instance properties at start and every 10th beat, keepAlive on the
// others, best effort, stopped on shutdown.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces, type } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeReporter } from '../../src/node/index.js';
import { startGrpcCollector } from '../helpers/grpc-collector.js';
import { sleep, steady, waitFor } from '../helpers/wait.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});


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
    await waitFor(() => collector.management.properties.length >= 2);

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

  it("with protocol 'http', posts the properties and keepAlive as JSON to OAP's REST /v3/management paths", async () => {
    const got: Array<{ path: string; type: string; auth: string; body: Record<string, unknown> }> = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        got.push({ path: req.url ?? '', type: String(req.headers['content-type']), auth: String(req.headers.authentication), body: JSON.parse(body) as Record<string, unknown> });
        res.setHeader('content-type', 'application/json');
        res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanup.push(() => new Promise((r) => server.close(r)));
    const reporter = createNodeReporter({
      service: 'svc-h',
      serviceInstance: 'inst-h',
      collector: `127.0.0.1:${(server.address() as AddressInfo).port}`,
      protocol: 'http',
      authentication: 'tok',
      keepAliveIntervalMs: 20,
      instanceProperties: { team: 'checkout' },
    });
    cleanup.push(() => reporter.shutdown(500));
    await waitFor(() => got.length >= 3);
    const [first, ...rest] = got;
    expect(first).toMatchObject({ path: '/v3/management/reportProperties', type: 'application/json', auth: 'tok' });
    expect(first!.body).toMatchObject({ service: 'svc-h', serviceInstance: 'inst-h' });
    const props = first!.body.properties as Array<{ key: string; value: string }>;
    expect(props).toContainEqual({ key: 'language', value: 'NodeJS' });
    expect(props).toContainEqual({ key: 'Process No.', value: String(process.pid) });
    expect(props).toContainEqual({ key: 'team', value: 'checkout' });
    for (const ping of rest.slice(0, 2)) expect(ping).toMatchObject({ path: '/v3/management/keepAlive', auth: 'tok', body: { service: 'svc-h', serviceInstance: 'inst-h' } });
    await reporter.shutdown(500);
    // A beat already on the wire at shutdown may land after it; none starts after.
    const n = await steady(() => got.length, 100);
    await sleep(100);
    expect(got.length).toBe(n);
  });

  it('stops beating on shutdown', async () => {
    const collector = await startGrpcCollector();
    cleanup.push(() => collector.close());
    const reporter = createNodeReporter({ service: 's', serviceInstance: 'i', collector: collector.address, keepAliveIntervalMs: 20 });
    await waitFor(() => collector.management.pings.length >= 2);
    await reporter.shutdown(500);
    // A beat already on the wire at shutdown may land after it; none starts after (150 ms: seven periods).
    const calls = await steady(() => collector.calls, 100);
    await sleep(150);
    expect(collector.calls).toBe(calls);
  });

  it('retries instance properties until they are accepted, without throwing', async () => {
    const collector = await startGrpcCollector({ behaviour: 'unavailable' });
    cleanup.push(() => collector.close());
    const reporter = createNodeReporter({ service: 's', serviceInstance: 'i', collector: collector.address, keepAliveIntervalMs: 20 });
    cleanup.push(() => reporter.shutdown(500));
    await waitFor(() => collector.calls >= 3);
    expect(collector.management.properties).toHaveLength(0);
    // Every failed attempt was a properties call: they must reach OAP before pings matter.
    expect(collector.callsByMethod['/skywalking.v3.ManagementService/keepAlive'] ?? 0).toBe(0);
    collector.setBehaviour('ok');
    await waitFor(() => collector.management.properties.length === 1 && collector.management.pings.length >= 1);
  });

  it('is off with management: false', async () => {
    const collector = await startGrpcCollector();
    cleanup.push(() => collector.close());
    const reporter = createNodeReporter({ service: 's', serviceInstance: 'i', collector: collector.address, keepAliveIntervalMs: 10, management: false });
    await sleep(100); // ten periods in which nothing may be sent
    await reporter.shutdown(500);
    expect(collector.calls).toBe(0);
  });
});
