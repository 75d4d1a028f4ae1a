// The browser's tracer: a page sends requests and receives none, so its contexts record Exit
// and Local spans only, and the script tag carries no entry-span, correlation or
// cross-thread code (TracingContext's; Node's tracer makes those). It is also not a
// TracerCore: a page has no clock, id-generator, limits or sampler options, so the checks
// and fallbacks those need (a third of a kilobyte in every bundle) are left out.
import { diag } from '../core/diag.js';
import { DEFAULT_LIMITS, MAX_SERVICE_NAME_LENGTH, truncate, type Limits, type TracerStats } from '../core/limits.js';
import type { Reporter } from '../core/reporter.js';
import type { SegmentObject } from '../core/segment.js';
import { SegmentContext, type TracingContextOptions } from '../core/segment-context.js';
import { newTracerStats } from '../core/tracer-core.js';

/**
 * The browser agent's tracer. A `ContextHost` (checked where it passes itself to its
 * contexts), not declared one: the host members are internal, so the published types
 * leave them out, and an `implements` clause there would no longer hold.
 */
export class PageTracer {
  /** The service name, trimmed and cut to 50 characters. */
  readonly service: string;
  /** The instance name (the app's version), trimmed and cut to 50 characters. */
  readonly serviceInstance: string;
  /** The default per-segment limits (a page has no limits option). */
  readonly limits: Limits = DEFAULT_LIMITS;
  /** Counters of dropped and reported data. */
  readonly stats: TracerStats = newTracerStats();

  /**
   * @param rate the fraction of traces recorded; no (or no numeric) rate records all.
   * `service` and `serviceInstance` are non-empty: the agent checked them.
   */
  constructor(
    service: string,
    serviceInstance: string,
    /** Where finished segments go. */
    readonly reporter: Reporter,
    private readonly rate?: number,
  ) {
    this.service = cut(service);
    this.serviceInstance = cut(serviceInstance);
  }

  /** Starts a new segment of Exit and Local spans. */
  createTracingContext(options?: TracingContextOptions): SegmentContext {
    return new SegmentContext(this, options);
  }

  /** @internal */
  now(): number {
    return Date.now();
  }

  /** @internal 32 random hex characters (the shape of a W3C trace id). */
  nextId(): string {
    let id = '';
    for (const b of crypto.getRandomValues(new Uint8Array(16))) id += (b | 256).toString(16).slice(1);
    return id;
  }

  /** @internal `x >= undefined` is false: no rate samples everything. */
  sample(): boolean {
    return !(Math.random() >= this.rate!);
  }

  /** @internal */
  finish(segment: SegmentObject, sampled: boolean): void {
    const stats = this.stats;
    if (!sampled) stats.unsampledSegments++;
    else
      try {
        this.reporter.report(segment);
        stats.reportedSegments++;
      } catch (err) {
        if (stats.reporterErrors++ === 0) diag.error('reporter threw', err);
      }
  }
}

function cut(name: string): string {
  name = name.trim();
  if (name.length > MAX_SERVICE_NAME_LENGTH) diag.warn(`"${name}" is over ${MAX_SERVICE_NAME_LENGTH} characters; cut`);
  return truncate(name, MAX_SERVICE_NAME_LENGTH);
}
