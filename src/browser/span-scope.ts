// Which span is active in the page: browsers have no async context, so a stack of the spans
// made active by withSpan/runInSpan (innermost last) tells requests started synchronously
// inside them who their parent is.
import type { Span } from '../core/span.js';
import { runToEnd } from '../core/span-run.js';
import type { SegmentContext } from '../core/segment-context.js';
import type { PageTracer } from './page-tracer.js';

/** The active-span stack of one agent. */
export interface SpanScope {
  /** The innermost active span and its context, or a new segment for the page (span null). */
  current(): [SegmentContext, Span | null];
  /** Runs `fn` with `span` active. */
  runIn<T>(span: Span, fn: () => T): T;
  /** Runs `fn` in a new Local span, ended (failed, if `fn` throws or its promise rejects) when `fn` is done. */
  withSpan<T>(operationName: string, fn: (span: Span) => T): T;
}

/** A new, empty scope; `page()` names the segment of a request made outside any span. */
export function spanScope(tracer: PageTracer, page: () => string): SpanScope {
  const stack: Span[] = [];
  const current = (): [SegmentContext, Span | null] => {
    const span = stack[stack.length - 1];
    const context = (span as unknown as { owner?: SegmentContext } | undefined)?.owner;
    return context && !context.isFinished ? [context, span] : [tracer.createTracingContext({ endpoint: page() }), null];
  };
  // A span of no context (or a finished one) is pushed too: current() passes over it.
  const runIn = <T>(span: Span, fn: () => T): T => {
    stack.push(span);
    try {
      return fn();
    } finally {
      stack.pop();
    }
  };
  return {
    current,
    runIn,
    withSpan(operationName, fn) {
      const [context, parent] = current();
      const span = context.createLocalSpan(operationName, parent);
      return runIn(span, () => runToEnd(span, fn));
    },
  };
}
