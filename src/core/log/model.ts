import type { KeyStringValuePair } from '../segment.js';

/** The trace a log line belongs to: what OAP stores to link it to the trace view. */
export interface LogTraceContext {
  traceId: string;
  traceSegmentId: string;
  spanId: number;
}

/**
 * A `LogData` record (logging/Logging.proto) with the proto's JSON field names, so that
 * `JSON.stringify` gives what OAP's `POST /v3/logs` reads and the protobuf encoder writes
 * the same fields.
 */
export interface LogData {
  /** Milliseconds since the epoch. */
  timestamp: number;
  service: string;
  serviceInstance: string;
  /** The entry span's operation name, when the line was written inside a traced request. */
  endpoint?: string;
  body: { type: 'text'; text: { text: string } } | { type: 'json'; json: { json: string } };
  traceContext?: LogTraceContext;
  tags: { data: KeyStringValuePair[] };
  layer?: string;
}

/** Bounds on one log record; beyond them text is cut and tags dropped. */
export const LOG_LIMITS = {
  /** Characters of a body (text, or JSON text). */
  maxBodyLength: 16_384,
  /** Tags per record. */
  maxTags: 20,
  /** Characters of a tag key. */
  maxTagKeyLength: 64,
  /** Characters of a tag value. */
  maxTagValueLength: 1024,
} as const;
