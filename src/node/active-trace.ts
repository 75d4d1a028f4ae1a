import type { Span, TracingContext } from '../core/index.js';

/** What the agent keeps per async flow: the segment and the span new spans hang under. */
export interface ActiveTrace {
  readonly context: TracingContext;
  readonly span: Span;
}
