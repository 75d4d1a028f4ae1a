import type { BatchReporterStats } from '../core/index.js';
import type { AgentLog } from './log/agent-log.js';
import type { NodeMeter } from './meter/node-meter.js';
import type { MeterReporterStats } from './reporter/meter-reporter.js';

/** The agent's meters and logs. @internal */
export interface Telemetry {
  readonly meter: NodeMeter;
  readonly log: AgentLog;
  /** Counters of the meter reporter, when meters are reported. */
  readonly meterStats: MeterReporterStats | undefined;
  /** Counters of the log reporter, when logs are reported. */
  readonly logStats: BatchReporterStats | undefined;
  /** Sends the current meter readings and queued logs. Never rejects. */
  flush(timeoutMs: number): Promise<void>;
  /** Stops timers, sends what is left. Never rejects. */
  shutdown(timeoutMs: number): Promise<void>;
}
