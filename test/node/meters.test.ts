// Meters end to end: the agent's meter API and runtime meters over real gRPC
// (MeterReportService/collect, one completed stream per report) to the local collector.
import { afterEach, describe, expect, it } from 'vitest';
import { start } from '../../src/node/index.js';
import type { NodeAgent } from '../../src/node/index.js';
import { startCollector, type Collector } from '../../src/collector/index.js';
import type { DiagLogger } from '../../src/core/index.js';
import { RUNTIME_METER_NAMES } from '../../src/node/runtime-meters.js';
import { waitFor } from '../helpers/wait.js';

let agent: NodeAgent | undefined;
let collector: Collector | undefined;
afterEach(async () => {
  await agent?.shutdown(1000);
  agent = undefined;
  await collector?.close();
  collector = undefined;
});

type Single = { name: string; labels: Array<{ name: string; value: string }>; value: number };
type Hist = { name: string; labels: unknown[]; values: Array<{ bucket: number; count: number }> };
type Record_ = { singleValue?: Single; histogram?: Hist; service?: string; serviceInstance?: string; timestamp?: number | string };

const records = (c: Collector) => c.store.meters as Record_[];
/** The latest reading of `name` (labels as given). */
function latest(c: Collector, name: string, labels?: Record<string, string>): Single | Hist | undefined {
  const match = (l: Array<{ name: string; value: string }> | unknown[]) =>
    !labels || JSON.stringify(l) === JSON.stringify(Object.entries(labels).map(([n, v]) => ({ name: n, value: v })));
  for (const r of [...records(c)].reverse()) {
    const m = r.singleValue ?? r.histogram;
    if (m?.name === name && match(m.labels as never)) return m;
  }
  return undefined;
}

async function agentWithCollector(extra: Record<string, unknown> = {}): Promise<{ a: NodeAgent; c: Collector }> {
  collector = await startCollector({ grpcPort: 0, httpPort: 0 });
  agent = start({ service: 'meter-svc', serviceInstance: 'meter-1', collector: collector.grpcAddress, flushOnExit: false, meterIntervalMs: 600_000, ...extra });
  return { a: agent, c: collector };
}

describe('agent.meter over gRPC', () => {
  it('reports counters (increment and rate), gauges and histograms with labels', async () => {
    const { a, c } = await agentWithCollector({ runtimeMetrics: false });
    const orders = a.meter.counter('orders_total', { labels: { shop: 'north' } });
    const rate = a.meter.counter('orders_rate', { mode: 'rate' });
    let depth = 4;
    a.meter.gauge('queue_depth', () => depth);
    const lat = a.meter.histogram('latency_ms', [0, 10, 100]);
    orders.increment();
    orders.increment(4);
    rate.increment(2);
    for (const v of [-1, 1, 5, 10, 50, 100, 1000, 2000]) lat.addValue(v);
    await a.flush();
    expect(latest(c, 'orders_total', { shop: 'north' })).toMatchObject({ value: 5 });
    expect(latest(c, 'orders_rate')).toMatchObject({ value: 2 });
    expect(latest(c, 'queue_depth')).toMatchObject({ value: 4 });
    expect((latest(c, 'latency_ms') as Hist).values).toEqual([
      { bucket: 0, count: 2, isNegativeInfinity: false },
      { bucket: 10, count: 2, isNegativeInfinity: false },
      { bucket: 100, count: 3, isNegativeInfinity: false },
    ]);
    // The stream's metadata rides on its first element only.
    expect(records(c)[0]).toMatchObject({ service: 'meter-svc', serviceInstance: 'meter-1' });
    expect(Number(records(c)[0]!.timestamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(records(c).slice(1).every((r) => !r.service)).toBe(true);

    orders.increment(2);
    depth = 9;
    const before = records(c).length;
    await a.flush();
    expect(records(c).length).toBe(before + 4);
    expect(latest(c, 'orders_total', { shop: 'north' })).toMatchObject({ value: 7 });
    // Nothing added to the rate counter since the last report.
    expect((latest(c, 'orders_rate') as Single).value ?? 0).toBe(0);
    expect(latest(c, 'queue_depth')).toMatchObject({ value: 9 });
    expect(a.telemetry.meterStats).toMatchObject({ reports: 2, failed: 0 });
  });

  it('reports every period on its own (unref\'d timer), one completed stream each', async () => {
    const { a, c } = await agentWithCollector({ runtimeMetrics: false, meterIntervalMs: 1000 });
    a.meter.counter('ticks').increment();
    await waitFor(() => a.telemetry.meterStats!.reports >= 2, 5000);
    expect(records(c).filter((r) => r.service === 'meter-svc').length).toBeGreaterThanOrEqual(2);
  });
});

describe('runtime meters', () => {
  it('reports exactly the twelve instance_nodejs_* values OAP\'s dashboard reads, unlabelled and plausible', async () => {
    const { a, c } = await agentWithCollector();
    // Some CPU work between the start and the report, so the CPU reading is above 0.
    const until = Date.now() + 50;
    while (Date.now() < until) Math.sqrt(Math.random());
    await a.flush();
    const names = records(c).map((r) => (r.singleValue ?? r.histogram)!.name);
    expect(names.sort()).toEqual([...RUNTIME_METER_NAMES].sort());
    const v = (n: string) => {
      const s = latest(c, n) as Single;
      expect(s.labels).toEqual([]);
      return s.value;
    };
    const mem = process.memoryUsage();
    expect(v('instance_nodejs_process_cpu')).toBeGreaterThan(0);
    expect(v('instance_nodejs_process_cpu')).toBeLessThanOrEqual(100);
    expect(v('instance_nodejs_heap_used')).toBeGreaterThan(1e6);
    expect(v('instance_nodejs_heap_used')).toBeLessThanOrEqual(v('instance_nodejs_heap_total'));
    expect(v('instance_nodejs_heap_total')).toBeLessThan(v('instance_nodejs_heap_limit'));
    expect(v('instance_nodejs_rss')).toBeGreaterThan(v('instance_nodejs_heap_used'));
    expect(v('instance_nodejs_rss')).toBeLessThan(mem.rss * 4);
    expect(v('instance_nodejs_external_memory')).toBeGreaterThan(0);
    expect(v('instance_nodejs_array_buffers')).toBeGreaterThanOrEqual(0);
    expect(v('instance_nodejs_malloced_memory')).toBeGreaterThan(0);
    expect(v('instance_nodejs_peak_malloced_memory')).toBeGreaterThanOrEqual(v('instance_nodejs_malloced_memory'));
    expect(v('instance_nodejs_old_space_used')).toBeGreaterThan(0);
    expect(v('instance_nodejs_new_space_used')).toBeGreaterThan(0);
    expect(v('instance_nodejs_old_space_used') + v('instance_nodejs_new_space_used')).toBeLessThanOrEqual(v('instance_nodejs_heap_used') * 1.5);
    expect(v('instance_nodejs_uptime')).toBeGreaterThan(0);
    expect(v('instance_nodejs_uptime')).toBeLessThanOrEqual(process.uptime() + 1);
  });

  it("'extended' adds event-loop, GC and handle meters", async () => {
    const { a, c } = await agentWithCollector({ runtimeMetrics: 'extended' });
    await a.flush();
    const names = new Set(records(c).map((r) => (r.singleValue ?? r.histogram)!.name));
    for (const n of ['instance_nodejs_event_loop_delay_p50', 'instance_nodejs_event_loop_delay_p99', 'instance_nodejs_event_loop_utilization', 'instance_nodejs_gc_time', 'instance_nodejs_active_handles'])
      expect(names.has(n), n).toBe(true);
    expect(names.size).toBe(17);
  });
});

describe('protocol http', () => {
  it('keeps meters off and says once that OAP has no REST path for meters', async () => {
    const messages: string[] = [];
    const push = (m: string) => void messages.push(m);
    const logger: DiagLogger = { error: push, warn: push, info: push, debug: push };
    collector = await startCollector({ grpcPort: 0, httpPort: 0 });
    agent = start({ service: 's', collector: collector.httpUrl, protocol: 'http', flushOnExit: false, logger, logLevel: 'warn' });
    agent.meter.counter('a').increment();
    agent.meter.counter('b').increment();
    await agent.flush();
    expect(collector.store.meters).toEqual([]);
    expect(messages.filter((m) => m.includes('no REST path for meters'))).toHaveLength(1);
  });
});
