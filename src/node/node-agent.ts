import type { LogLevel, Span, Tracer, TracingContext } from '../core/index.js';
import type { AgentReporter } from '../core/agent-reporter.js';
import type { NodeMeter } from './meter/node-meter.js';
import type { ResolvedOptions } from './options-types.js';
import type { Telemetry } from './telemetry-types.js';

/** The running Node agent. */
export interface NodeAgent {
  readonly tracer: Tracer;
  /**
   * Where segments go, with `stats` (sent, dropped, failedSends, queued). For a reporter of
   * your own (`options.reporter`) this is a wrapper around it whose `sent` counts the
   * segments handed to it.
   */
  readonly reporter: AgentReporter;
  /** The options in force (after environment and defaults). */
  readonly options: Readonly<ResolvedOptions>;
  /** Meters reported to OAP every `meterIntervalMs` (gRPC only): counter, gauge, histogram. */
  readonly meter: NodeMeter;
  /**
   * Sends a log record to OAP when `level` is at or above `logReporterLevel` (default warn),
   * linked to the current trace. `fields` make the body JSON. Never throws.
   */
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  /** @internal Meters and logs: what the logger bridges write to. */
  readonly telemetry: Telemetry;
  /** Sends queued segments, meters and logs, waiting at most `timeoutMs` (default 5000). Never rejects. */
  flush(timeoutMs?: number): Promise<void>;
  /** Flushes, removes every patch and stops timers. One-shot; never rejects. */
  shutdown(timeoutMs?: number): Promise<void>;
  /**
   * Runs `fn` inside a new Local span of the current trace (or a new trace), ending it when
   * `fn` returns or its promise settles; a throw or rejection marks the span as failed.
   */
  withSpan<T>(operationName: string, fn: (span: Span) => T): T;
  /** The innermost span of the current async flow. */
  activeSpan(): Span | undefined;
  /** The segment of the current async flow. */
  activeContext(): TracingContext | undefined;
}
