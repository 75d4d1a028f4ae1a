import { activeTrace } from '../context.js';
import type { LogTrace } from './agent-log.js';

/** The trace ids of the current async flow, for a log line: undefined outside a sampled trace. */
export function currentLogTrace(): LogTrace | undefined {
  const t = activeTrace();
  if (!t || !t.context.isSampled || t.span.spanId < 0) return undefined;
  const snap = t.context.capture();
  return { traceContext: { traceId: snap.traceId, traceSegmentId: snap.segmentId, spanId: t.span.spanId }, endpoint: snap.endpoint };
}
