// Meters and logs beside the segment reporter: built at start(), sharing its connection.
import type { Reporter } from '../core/index.js';
import { diag, MeterRegistry } from '../core/index.js';
import { AgentLog } from './log/agent-log.js';
import { currentLogTrace } from './log/log-trace.js';
import { bridgeConsole } from './log/console.js';
import { createLogReporter, type LogReporter } from './log/log-reporter.js';
import { nodeMeter } from './meter/node-meter.js';
import type { ResolvedOptions } from './options.js';
import type { NodeReporter } from './reporter/index.js';
import { MeterReporter } from './reporter/meter-reporter.js';
import type { Telemetry } from './telemetry-types.js';
import { GrpcStreamTransport, METER_COLLECT } from './reporter/telemetry-channel.js';
import { registerRuntimeMeters } from './runtime-meters.js';

const NO_METERS_OVER_HTTP = "OAP has no REST path for meters: with protocol 'http' meters (and runtime metrics) are not reported; use protocol 'grpc'";

/**
 * Meters over gRPC `MeterReportService/collect` (one stream per period), logs over gRPC
 * `LogReportService/collect` or REST `POST /v3/logs`, both through the segment reporter's
 * connection. A custom `reporter` has none: meters and logs then go nowhere (said once).
 */
export function startTelemetry(o: ResolvedOptions, reporter: Reporter): Telemetry {
  const t = o.telemetry;
  const registry = new MeterRegistry();
  const channel = o.enabled ? (reporter as NodeReporter).channel : undefined;
  let meters: MeterReporter | undefined;
  let stopRuntime = () => {};
  let onUse = () => {};
  if (channel?.grpc) {
    meters = new MeterReporter(registry, new GrpcStreamTransport(channel.grpc, METER_COLLECT), {
      service: o.service,
      serviceInstance: o.serviceInstance,
      intervalMs: t.meterIntervalMs,
      timeoutMs: 10_000,
    });
    if (t.runtimeMetrics) stopRuntime = registerRuntimeMeters(registry, t.runtimeMetrics === 'extended');
    meters.start();
  } else if (channel?.postJson) {
    if (t.runtimeMetrics) diag.info(NO_METERS_OVER_HTTP);
    onUse = () => diag.once('warn', 'meters-http', NO_METERS_OVER_HTTP);
  } else if (o.enabled) {
    onUse = () => diag.once('info', 'meters-nowhere', 'meters are reported by the built-in gRPC reporter only; with a custom reporter they go nowhere');
  }
  let logs: LogReporter | undefined;
  if (channel && t.logReporterLevel !== 'off') logs = createLogReporter(channel, { maxQueueSize: t.maxLogQueueSize, flushIntervalMs: o.flushIntervalMs });
  const log = new AgentLog({ service: o.service, serviceInstance: o.serviceInstance }, t.logReporterLevel, logs ? (r) => logs.report(r) : undefined, currentLogTrace);
  const unbridgeConsole = t.logConsole && logs ? bridgeConsole(log) : () => {};
  let stopped = false;
  return {
    meter: nodeMeter(registry, onUse),
    log,
    get meterStats() {
      return meters?.stats;
    },
    get logStats() {
      return logs?.stats;
    },
    async flush(timeoutMs) {
      await Promise.all([meters?.flush(timeoutMs), logs?.flush(timeoutMs)]);
    },
    async shutdown(timeoutMs) {
      if (stopped) return;
      stopped = true;
      stopRuntime();
      unbridgeConsole();
      await Promise.all([meters?.shutdown(timeoutMs), logs?.shutdown(timeoutMs)]);
      registry.clear();
    },
  };
}
