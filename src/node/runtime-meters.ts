// The Node.js runtime meters OAP's `nodejs-runtime` rules read (meter-analyzer-config/
// nodejs-runtime.yaml), which light up the General → Instance dashboard with no OAP change.
// node:os, node:v8 and node:perf_hooks are required when the meters start, not with the
// agent: an app without meters does not load them.
import type * as Os from 'node:os';
import type * as PerfHooks from 'node:perf_hooks';
import type * as V8 from 'node:v8';
import type { MeterRegistry } from '../core/index.js';
import { diag } from '../core/index.js';
import { lazyRequire } from './reporter/lazy-require.js';

/** The twelve names, in the order they are registered. */
export const RUNTIME_METER_NAMES = [
  'instance_nodejs_process_cpu',
  'instance_nodejs_heap_used',
  'instance_nodejs_heap_total',
  'instance_nodejs_rss',
  'instance_nodejs_external_memory',
  'instance_nodejs_array_buffers',
  'instance_nodejs_heap_limit',
  'instance_nodejs_peak_malloced_memory',
  'instance_nodejs_malloced_memory',
  'instance_nodejs_old_space_used',
  'instance_nodejs_new_space_used',
  'instance_nodejs_uptime',
] as const;

/** The extra names of `runtimeMetrics: 'extended'`; OAP needs the rule file in docs/meters-and-logs.md to keep them. */
export const EXTENDED_RUNTIME_METER_NAMES = [
  'instance_nodejs_event_loop_delay_p50',
  'instance_nodejs_event_loop_delay_p99',
  'instance_nodejs_event_loop_utilization',
  'instance_nodejs_gc_time',
  'instance_nodejs_active_handles',
] as const;

/**
 * Registers the runtime meters as gauges, read once per report. Memory readings are taken
 * once per report and shared by the gauges of that report (process.memoryUsage() walks
 * the heap spaces; twelve calls would cost twelve walks). Returns a function that stops
 * what `extended` started.
 */
export function registerRuntimeMeters(registry: MeterRegistry, extended = false): () => void {
  const { availableParallelism, cpus } = lazyRequire<typeof Os>('node:os');
  const { performance } = lazyRequire<typeof PerfHooks>('node:perf_hooks');
  const v8 = lazyRequire<typeof V8>('node:v8');
  const cpuCount = Math.max(1, typeof availableParallelism === 'function' ? availableParallelism() : cpus().length);
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();
  // Process CPU as a % of all logical CPUs since the previous report.
  const cpu = () => {
    const now = performance.now();
    const usage = process.cpuUsage();
    const elapsedUs = (now - lastAt) * 1000;
    const usedUs = usage.user - lastCpu.user + (usage.system - lastCpu.system);
    lastCpu = usage;
    lastAt = now;
    return elapsedUs > 0 ? (usedUs * 100) / elapsedUs / cpuCount : 0;
  };
  const mem = cachedPerReport(() => process.memoryUsage());
  const heap = cachedPerReport(() => v8.getHeapStatistics());
  const spaces = cachedPerReport(() => {
    const out: Record<string, number> = {};
    for (const s of v8.getHeapSpaceStatistics()) out[s.space_name] = s.space_used_size;
    return out;
  });
  const g = (name: string, read: () => number) => registry.gauge(name, read);
  g('instance_nodejs_process_cpu', cpu);
  g('instance_nodejs_heap_used', () => mem().heapUsed);
  g('instance_nodejs_heap_total', () => mem().heapTotal);
  g('instance_nodejs_rss', () => mem().rss);
  g('instance_nodejs_external_memory', () => mem().external);
  g('instance_nodejs_array_buffers', () => mem().arrayBuffers);
  g('instance_nodejs_heap_limit', () => heap().heap_size_limit);
  g('instance_nodejs_peak_malloced_memory', () => heap().peak_malloced_memory);
  g('instance_nodejs_malloced_memory', () => heap().malloced_memory);
  g('instance_nodejs_old_space_used', () => spaces().old_space ?? 0);
  g('instance_nodejs_new_space_used', () => spaces().new_space ?? 0);
  g('instance_nodejs_uptime', () => process.uptime());
  return extended ? registerExtended(registry) : () => {};
}

/**
 * Event-loop delay percentiles (ms, reset each report), event-loop utilisation since the
 * previous report (0..1), cumulative GC time (ms) and active handles.
 */
function registerExtended(registry: MeterRegistry): () => void {
  const { monitorEventLoopDelay, performance, PerformanceObserver } = lazyRequire<typeof PerfHooks>('node:perf_hooks');
  const stops: Array<() => void> = [];
  try {
    const h = monitorEventLoopDelay({ resolution: 20 });
    h.enable();
    stops.push(() => h.disable());
    // Both percentiles come from one window: the p99 reader (registered second) resets it.
    registry.gauge('instance_nodejs_event_loop_delay_p50', () => h.percentile(50) / 1e6);
    registry.gauge('instance_nodejs_event_loop_delay_p99', () => {
      const v = h.percentile(99) / 1e6;
      h.reset();
      return v;
    });
  } catch (err) {
    diag.warn('event-loop delay meters unavailable', err);
  }
  let lastElu = performance.eventLoopUtilization();
  registry.gauge('instance_nodejs_event_loop_utilization', () => {
    const now = performance.eventLoopUtilization();
    const d = performance.eventLoopUtilization(now, lastElu);
    lastElu = now;
    return d.utilization;
  });
  let gcMs = 0;
  try {
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcMs += e.duration;
    });
    obs.observe({ entryTypes: ['gc'] });
    stops.push(() => obs.disconnect());
    registry.gauge('instance_nodejs_gc_time', () => gcMs);
  } catch (err) {
    diag.warn('GC time meter unavailable', err);
  }
  const handles = (process as unknown as { getActiveResourcesInfo?: () => string[] }).getActiveResourcesInfo;
  if (typeof handles === 'function') registry.gauge('instance_nodejs_active_handles', () => handles.call(process).length);
  return () => {
    for (const s of stops) s();
  };
}

/** `read()` at most once per report: a reading is reused until the event loop turns. */
function cachedPerReport<T>(read: () => T): () => T {
  let value: T | undefined;
  return () => {
    if (value === undefined) {
      value = read();
      // All gauges of one report are read in one synchronous pass.
      queueMicrotask(() => (value = undefined));
    }
    return value;
  };
}
