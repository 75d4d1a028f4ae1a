import { truncate } from '../limits.js';
import type { KeyStringValuePair } from '../segment.js';
import { levelTag, type LogLevel } from './levels.js';
import { LOG_LIMITS, type LogData, type LogTraceContext } from './model.js';

/** What a log call says, before the agent adds who and where. */
export interface LogInput {
  level: LogLevel;
  message: string;
  /** Structured fields: when present the body is JSON (`{ message, ...fields }`). */
  fields?: Record<string, unknown>;
  /** The logger's name (the `logger` tag), e.g. `pino`, `winston`, or a child logger's name. */
  logger?: string;
  /** Milliseconds since the epoch; default now. */
  timestamp?: number;
  /** Extra tags. */
  tags?: Record<string, string>;
}

/** Who wrote the line, and in which trace. */
export interface LogOrigin {
  service: string;
  serviceInstance: string;
  endpoint?: string;
  traceContext?: LogTraceContext;
}

/**
 * Builds a bounded `LogData`: the body as text, or as JSON when there are fields (values
 * JSON cannot hold, such as cycles or BigInt, are replaced, never thrown); tags `level`
 * (upper case) and `logger` first, then the extra tags, at most {@link LOG_LIMITS}.
 */
export function makeLogData(input: LogInput, origin: LogOrigin): LogData {
  const message = typeof input.message === 'string' ? input.message : String(input.message);
  const hasFields = input.fields !== undefined && input.fields !== null && Object.keys(input.fields).length > 0;
  const body: LogData['body'] = hasFields
    ? { type: 'json', json: { json: truncate(safeJson({ message, ...input.fields }), LOG_LIMITS.maxBodyLength) } }
    : { type: 'text', text: { text: truncate(message, LOG_LIMITS.maxBodyLength) } };
  const data: KeyStringValuePair[] = [{ key: 'level', value: levelTag(input.level) }];
  if (input.logger) data.push({ key: 'logger', value: truncate(input.logger, LOG_LIMITS.maxTagValueLength) });
  if (input.tags) {
    for (const [key, value] of Object.entries(input.tags)) {
      if (data.length >= LOG_LIMITS.maxTags) break;
      if (key === 'level' || key === 'logger') continue;
      data.push({ key: truncate(key, LOG_LIMITS.maxTagKeyLength), value: truncate(String(value), LOG_LIMITS.maxTagValueLength) });
    }
  }
  const out: LogData = {
    timestamp: typeof input.timestamp === 'number' && input.timestamp > 0 ? Math.floor(input.timestamp) : Date.now(),
    service: origin.service,
    serviceInstance: origin.serviceInstance,
    body,
    tags: { data },
  };
  if (origin.endpoint) out.endpoint = truncate(origin.endpoint, 150);
  if (origin.traceContext) out.traceContext = origin.traceContext;
  return out;
}

/** JSON text of `value`, with cycles, BigInts, functions and errors made printable. */
export function safeJson(value: unknown): string {
  const seen = new WeakSet<object>();
  try {
    return JSON.stringify(value, (_k, v: unknown) => {
      if (typeof v === 'bigint') return v.toString();
      if (typeof v === 'function' || typeof v === 'symbol') return undefined;
      if (v instanceof Error) return { name: v.name, message: v.message, stack: v.stack };
      if (typeof v === 'object' && v !== null) {
        if (seen.has(v)) return '[Circular]';
        seen.add(v);
      }
      return v;
    });
  } catch {
    return JSON.stringify({ message: '[unserialisable log record]' });
  }
}
