import type { LogData, LogLevel, LogThreshold, LogTraceContext } from '../../core/index.js';
import { atLeast, diag, makeLogData, parseLogLevel } from '../../core/index.js';
import { inDiagnostic } from './guard.js';

/** Fields of one log call. */
export type LogFields = Record<string, unknown>;

/** What a bridge or `agent.log` passes for one record. */
export interface LogEntry {
  level: LogLevel;
  message: string;
  fields?: LogFields;
  logger?: string;
  timestamp?: number;
}

/** The trace a log line belongs to: its ids and the segment's endpoint. */
export interface LogTrace {
  readonly traceContext: LogTraceContext;
  readonly endpoint: string;
}

/**
 * The agent's log sink: applies the threshold, adds the service, the instance and the
 * current trace, and hands the record to the reporter. Never throws. Records written while
 * the agent's own diagnostics are being written are ignored, so a diagnostic logged
 * through a bridged logger never comes back as a log record (nor loops).
 */
export class AgentLog {
  /** Records below the threshold or written by the agent's diagnostics. */
  skipped = 0;

  constructor(
    private readonly origin: { service: string; serviceInstance: string },
    private readonly threshold: LogThreshold,
    private readonly sink: ((log: LogData) => void) | undefined,
    // Given, not imported: the trace lives in the process state, which holds the agent that holds this log.
    private readonly traceOf: () => LogTrace | undefined,
  ) {}

  /** True when a record at `level` would be reported: bridges check it before building anything. */
  enabled(level: LogLevel): boolean {
    return this.sink !== undefined && atLeast(level, this.threshold) && !inDiagnostic();
  }

  /** `agent.log(level, message, fields?)`: a level name, any message, optional structured fields. */
  log(level: unknown, message: unknown, fields?: unknown): void {
    const l = parseLogLevel(level);
    if (!l) {
      diag.once('warn', 'log-level', `log(): ${JSON.stringify(level)} is not a level (trace, debug, info, warn, error, fatal); recorded as info`);
    }
    const f = fields !== undefined && fields !== null && typeof fields === 'object' && !Array.isArray(fields) ? (fields as LogFields) : undefined;
    this.write({ level: l ?? 'info', message: typeof message === 'string' ? message : String(message), fields: f });
  }

  /** Reports one entry when it passes the threshold. */
  write(entry: LogEntry): void {
    if (!this.enabled(entry.level)) {
      this.skipped++;
      return;
    }
    try {
      const trace = this.traceOf();
      const record = makeLogData(
        { level: entry.level, message: entry.message, fields: entry.fields, logger: entry.logger, timestamp: entry.timestamp },
        { ...this.origin, endpoint: trace?.endpoint, traceContext: trace?.traceContext },
      );
      this.sink!(record);
    } catch (err) {
      diag.once('error', 'log-record', 'a log record could not be built; dropped', err);
    }
  }
}
