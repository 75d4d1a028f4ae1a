import type { Extractable } from './carrier.js';
import type { Extracted } from './extract.js';
import { extractPropagation } from './extract.js';
import { resolveLimits } from './limits.js';
import { TracerCore, type TracerOptions } from './tracer-core.js';
import type { TracingContextOptions } from './segment-context.js';
import { TracingContext } from './tracing-context.js';

export type { TracerOptions } from './tracer-core.js';

/**
 * A tracer without header decoding: entry spans never continue an incoming trace, and it
 * pays for no decoder. Not exported by the entries (use {@link Tracer}); in the published
 * types only as Tracer's base class.
 */
export class BaseTracer extends TracerCore {
  constructor(options: TracerOptions) {
    super(options, resolveLimits(options?.limits));
  }

  /** Starts a new segment. */
  createTracingContext(options?: TracingContextOptions): TracingContext {
    return new TracingContext(this, options);
  }

  /** @internal */
  extract(_carrier: Extractable): Extracted | undefined {
    return undefined;
  }
}

/**
 * Creates tracing contexts for one service instance and hands their finished segments
 * to the reporter. Validates its options once, here; everything after never throws.
 */
export class Tracer extends BaseTracer {
  /** @internal Reads sw8, sw8-correlation and sw8-x. */
  override extract(carrier: Extractable): Extracted | undefined {
    return extractPropagation(carrier);
  }
}
