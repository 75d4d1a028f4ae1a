import type { LogThreshold } from '../core/index.js';
import { diag, parseLogThreshold } from '../core/index.js';

/** The meter and log options of `start()` (part of NodeAgentOptions). */
export interface TelemetryUserOptions {
  /** Meter report period, ms [SW_AGENT_METER_INTERVAL]. Default 20,000 (as the official agents). */
  meterIntervalMs?: number;
  /**
   * The twelve `instance_nodejs_*` meters OAP's Node.js dashboard reads [SW_AGENT_RUNTIME_METRICS].
   * `'extended'` adds event-loop delay, event-loop utilisation, GC time and active handles
   * (OAP keeps them only with the rule file in docs/meters-and-logs.md). Default true.
   */
  runtimeMetrics?: boolean | 'extended';
  /** Lowest level sent to OAP's log service: trace, debug, info, warn, error, fatal or off [SW_AGENT_LOG_REPORTER_LEVEL]. Default warn. */
  logReporterLevel?: LogThreshold;
  /** Also report console.log/info/warn/error/debug lines (pino, winston and bunyan are bridged by default; `instrument: { pino: false }` turns one off). Default false. */
  logConsole?: boolean;
  /** Also write `trace_id`, `segment_id` and `span_id` into the bridged loggers' own records (for log files). Default false. */
  logTraceIds?: boolean;
  /** Most log records queued while OAP is slow or down. Default 10,000. */
  maxLogQueueSize?: number;
}

/** The resolved meter and log options. */
export interface TelemetryOptions {
  meterIntervalMs: number;
  runtimeMetrics: boolean | 'extended';
  logReporterLevel: LogThreshold;
  logConsole: boolean;
  logTraceIds: boolean;
  maxLogQueueSize: number;
}

type Env = Record<string, string | undefined>;

/** Options over environment over defaults; a bad value gets one diagnostic and the default. */
export function resolveTelemetryOptions(user: TelemetryUserOptions, env: Env): TelemetryOptions {
  const interval = user.meterIntervalMs ?? (env.SW_AGENT_METER_INTERVAL ? Number(env.SW_AGENT_METER_INTERVAL) : undefined);
  let meterIntervalMs = 20_000;
  if (interval !== undefined) {
    if (typeof interval === 'number' && interval >= 1000 && interval <= 3_600_000) meterIntervalMs = interval;
    else diag.warn(`option meterIntervalMs must be a number of ms in [1000, 3600000]; using 20000`);
  }
  let runtimeMetrics: boolean | 'extended' = true;
  const rm: unknown = user.runtimeMetrics ?? env.SW_AGENT_RUNTIME_METRICS;
  if (rm === true || rm === false || rm === 'extended') runtimeMetrics = rm;
  else if (typeof rm === 'string' && /^(1|true|on|yes|0|false|off|no)$/i.test(rm)) runtimeMetrics = /^(1|true|on|yes)$/i.test(rm);
  else if (rm !== undefined) diag.warn(`option runtimeMetrics must be true, false or "extended"; using true`);
  const lv: unknown = user.logReporterLevel ?? env.SW_AGENT_LOG_REPORTER_LEVEL;
  let logReporterLevel: LogThreshold = 'warn';
  if (lv !== undefined) {
    const t = parseLogThreshold(lv);
    if (t) logReporterLevel = t;
    else diag.warn(`option logReporterLevel must be trace, debug, info, warn, error, fatal or off; using warn`);
  }
  let logConsole = false;
  if (user.logConsole !== undefined) {
    if (typeof user.logConsole === 'boolean') logConsole = user.logConsole;
    else diag.warn('option logConsole must be true or false; ignored');
  }
  let logTraceIds = false;
  if (user.logTraceIds !== undefined) {
    if (typeof user.logTraceIds === 'boolean') logTraceIds = user.logTraceIds;
    else diag.warn('option logTraceIds must be true or false; ignored');
  }
  let maxLogQueueSize = 10_000;
  if (user.maxLogQueueSize !== undefined) {
    const n = user.maxLogQueueSize;
    if (typeof n === 'number' && n >= 1 && n <= 1e7) maxLogQueueSize = Math.floor(n);
    else diag.warn('option maxLogQueueSize must be a number in [1, 10000000]; using 10000');
  }
  return { meterIntervalMs, runtimeMetrics, logReporterLevel, logConsole, logTraceIds, maxLogQueueSize };
}
