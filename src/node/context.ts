import type { Span, Tracer, TracingContext } from '../core/index.js';
import type { ActiveTrace } from './active-trace.js';
import { processState } from './process-state.js';

/**
 * The async-context store: one per process, shared by every instrumentation and by both
 * the ESM and the CommonJS copy of this package (see process-state.ts). @internal
 */
export const traceStorage = processState.traceStorage;

/** The current flow's trace, if any. */
export function activeTrace(): ActiveTrace | undefined {
  return traceStorage.getStore();
}

/**
 * The context and parent a new span of the current flow belongs to. When the flow's
 * segment has already been reported (work that outlives its request), a new segment is
 * started and linked to the old one by a CrossThread reference, so nothing is lost.
 * @internal
 */
export function parentFor(tracer: Tracer, store: ActiveTrace | undefined): { context: TracingContext; parent: Span | undefined } {
  const context = contextFor(tracer, store);
  return { context, parent: parentIn(context, store) };
}

/** {@link parentFor}'s context alone: no result object, for the per-request exit paths. */
export function contextFor(tracer: Tracer, store: ActiveTrace | undefined): TracingContext {
  if (!store) return tracer.createTracingContext();
  if (!store.context.isFinished) return store.context;
  const next = tracer.createTracingContext();
  const snapshot = store.context.capture();
  next.continued({ ...snapshot, spanId: store.span.spanId >= 0 ? store.span.spanId : snapshot.spanId });
  return next;
}

/** {@link parentFor}'s parent alone: the store's span when `context` is the store's own. */
export function parentIn(context: TracingContext, store: ActiveTrace | undefined): Span | undefined {
  return context === store?.context ? store.span : undefined;
}
