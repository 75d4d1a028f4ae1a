import type { BatchReporterStats, BatchTransport, LogData } from '../../core/index.js';
import { BatchReporter } from '../../core/index.js';
import { encodeLogData } from '../../core/log/encode.js';
import { ProtoWriter } from '../../core/encode/proto-writer.js';
import { GrpcStreamTransport, LOG_COLLECT, type TelemetryChannel } from '../reporter/telemetry-channel.js';

/** A log reporter: bounded queue, batches, retries; what the agent's `log` and the bridges feed. */
export interface LogReporter {
  report(log: LogData): void;
  readonly stats: BatchReporterStats;
  flush(timeoutMs?: number): Promise<void>;
  shutdown(timeoutMs?: number): Promise<void>;
}

/** Options of {@link createLogReporter}. */
export interface LogReporterOptions {
  maxQueueSize: number;
  flushIntervalMs: number;
}

// A JSON record and its size, measured once for the byte bound.
type JsonItem = { log: LogData; size: number };

/**
 * Logs through the segment reporter's connection: batches of `LogData` as one
 * `LogReportService/collect` stream each over gRPC, or a JSON array to `POST /v3/logs` over
 * REST. The shared BatchReporter gives the bounded queue (drops counted, one diagnostic when
 * they start and one when they stop), retries with backoff and flush deadlines.
 */
export function createLogReporter(channel: TelemetryChannel, o: LogReporterOptions): LogReporter | undefined {
  const common = { name: 'log reporter', maxQueueSize: o.maxQueueSize, maxQueueBytes: 16 * 1024 * 1024, maxBatchSize: 500, flushIntervalMs: o.flushIntervalMs };
  if (channel.grpc) {
    const writer = new ProtoWriter(1024);
    return new BatchReporter<Uint8Array, LogData>({
      ...common,
      transport: new GrpcStreamTransport(channel.grpc, LOG_COLLECT),
      encode: (log) => encodeLogData(writer, log),
      sizeOf: (b) => b.length,
    });
  }
  const post = channel.postJson;
  if (post) {
    const transport: BatchTransport<JsonItem> = { send: (batch, opts) => post('/v3/logs', batch.map((b) => b.log), opts.timeoutMs) };
    return new BatchReporter<JsonItem, LogData>({
      ...common,
      transport,
      encode: (log) => ({ log, size: JSON.stringify(log).length }),
      sizeOf: (i) => i.size,
    });
  }
  return undefined;
}
