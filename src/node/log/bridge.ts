// What every logger bridge shares: the running agent's log sink, levels from numbers, and
// the trace ids written into records for people who read log files.
import type { LogLevel } from '../../core/index.js';
import { parseLogLevel } from '../../core/index.js';
import { processState } from '../process-state.js';
import type { AgentLog } from './agent-log.js';
import { currentLogTrace } from './log-trace.js';

/** The running agent's log sink (whichever ESM/CJS copy started it); undefined when none runs. */
export function agentLog(): AgentLog | undefined {
  return (processState.agent as { telemetry?: { log?: AgentLog } } | undefined)?.telemetry?.log;
}

/** Whether the running agent writes trace ids into bridged records (`logTraceIds`). */
export function injectTraceIds(): boolean {
  return (processState.agent as { options?: { telemetry?: { logTraceIds?: boolean } } } | undefined)?.options?.telemetry?.logTraceIds === true;
}

/** `trace_id`, `segment_id`, `span_id` of the current flow, or undefined outside a sampled trace. */
export function traceIdFields(): { trace_id: string; segment_id: string; span_id: number } | undefined {
  const t = currentLogTrace();
  return t && { trace_id: t.traceContext.traceId, segment_id: t.traceContext.traceSegmentId, span_id: t.traceContext.spanId };
}

/** pino and bunyan numeric levels (10 trace … 60 fatal), and custom ones by the nearest below. */
export function levelFromNumber(n: unknown, label?: unknown): LogLevel {
  const named = parseLogLevel(label);
  if (named) return named;
  const v = typeof n === 'number' ? n : 30;
  return v >= 60 ? 'fatal' : v >= 50 ? 'error' : v >= 40 ? 'warn' : v >= 30 ? 'info' : v >= 20 ? 'debug' : 'trace';
}

/** Own enumerable fields of `record` except `skip`: the structured part of a record. */
export function fieldsOf(record: Record<string, unknown>, skip: ReadonlySet<string>): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const k of Object.keys(record)) {
    if (skip.has(k)) continue;
    (out ??= {})[k] = record[k];
  }
  return out;
}
