// The browser's tracer: a page sends requests and receives none, so its contexts record Exit
// and Local spans only, and the script tag carries no entry-span, correlation or
// cross-thread code (TracingContext's; Node's tracer makes those).
import { SegmentContext, type TracingContextOptions } from '../core/segment-context.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { TracerCore, type TracerOptions } from '../core/tracer-core.js';

/** The browser agent's tracer. */
export class PageTracer extends TracerCore {
  constructor(options: TracerOptions) {
    // A page has no limits option: the defaults.
    super(options, DEFAULT_LIMITS);
  }

  /** Starts a new segment of Exit and Local spans. */
  createTracingContext(options?: TracingContextOptions): SegmentContext {
    return new SegmentContext(this, options);
  }
}
