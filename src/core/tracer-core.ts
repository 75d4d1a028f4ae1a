import { diag } from './diag.js';
import type { Clock, IdGenerator } from './ids.js';
import { RandomIdGenerator, systemClock, wholeMs } from './ids.js';
import type { Limits, TracerStats } from './limits.js';
import { MAX_SERVICE_NAME_LENGTH, truncate } from './limits.js';
import type { Reporter } from './reporter.js';
import type { Sampler } from './sampler.js';
import { AlwaysOnSampler } from './sampler.js';
import type { SegmentObject } from './segment.js';

/** Options of a {@link Tracer}. */
export interface TracerOptions {
  /** The service name (OAP's service). Cut to 50 characters. Required. */
  service: string;
  /** The instance name (OAP's service instance; the browser's version). Cut to 50 characters. Required. */
  serviceInstance: string;
  /** Where finished segments go. */
  reporter: Reporter;
  /** Decides about traces that start here. Default: record everything. */
  sampler?: Sampler;
  /** Epoch-ms clock. Default `Date.now`. Inject one to compare whole segments in tests. */
  clock?: Clock;
  /** Id source. Default: 32 random hex characters. */
  idGenerator?: IdGenerator;
  /** Per-segment limits; see {@link Limits}. */
  limits?: Partial<Limits>;
  /**
   * Send `sw8-x` with the client send time on every propagation, so receivers tag
   * `transmission.latency` (useful for queues). Default false: one header fewer per request.
   */
  propagateSendTime?: boolean;
}

/**
 * What every tracer shares: validated options, the clock, ids, sampling and the hand-over of
 * finished segments. Which contexts it makes is the subclass's: {@link BaseTracer} makes
 * full {@link TracingContext}s. Not exported by the entries, but in the published types as the
 * base of {@link Tracer}. A `ContextHost` (checked where it passes itself to its contexts),
 * not declared one: the host members are internal, and the published types leave them out.
 */
export class TracerCore {
  /** The service name, trimmed and cut to 50 characters. */
  readonly service: string;
  /** The instance name, trimmed and cut to 50 characters. */
  readonly serviceInstance: string;
  /** Where finished segments go. */
  readonly reporter: Reporter;
  /** The resolved per-segment limits. */
  readonly limits: Limits;
  readonly propagateSendTime: boolean;
  /** Counters of dropped and reported data. */
  readonly stats: TracerStats = newTracerStats();
  private readonly sampler: Sampler;
  private readonly clock: Clock;
  private readonly ids: IdGenerator;

  /** @param limits the resolved limits (BaseTracer resolves `options.limits`; the browser's tracer takes the defaults). */
  constructor(options: TracerOptions, limits: Limits) {
    const { service, serviceInstance, reporter } = options ?? ({} as TracerOptions);
    // The one place the core throws: a tracer without these is a setup error.
    if (typeof service !== 'string' || !service.trim() || typeof serviceInstance !== 'string' || !serviceInstance.trim() || typeof reporter?.report !== 'function')
      throw new TypeError('Tracer needs non-empty service and serviceInstance strings and a reporter');
    this.service = cutName(service.trim(), 'service');
    this.serviceInstance = cutName(serviceInstance.trim(), 'serviceInstance');
    this.reporter = reporter;
    this.sampler = options.sampler ?? new AlwaysOnSampler();
    this.clock = options.clock ?? systemClock;
    this.ids = options.idGenerator ?? new RandomIdGenerator();
    this.limits = limits;
    this.propagateSendTime = options.propagateSendTime === true;
  }

  /** @internal The clock's time as whole epoch ms; `Date.now()` when the clock throws or gives no usable time. */
  now(): number {
    let t: unknown;
    try {
      t = this.clock.now();
    } catch {
      // Handled below like any unusable value.
    }
    const ms = wholeMs(t);
    if (ms === undefined) diag.once('warn', 'bad-clock', 'the clock gave no finite number of epoch ms >= 0 (or threw); Date.now() used');
    return ms ?? Date.now();
  }

  /** @internal */
  nextId(): string {
    return this.ids.next();
  }

  /** @internal */
  sample(operationName: string): boolean {
    try {
      return this.sampler.shouldSample(operationName) !== false;
    } catch (err) {
      diag.warn('sampler threw; sampling this trace', err);
      return true;
    }
  }

  /** @internal */
  finish(segment: SegmentObject, sampled: boolean): void {
    if (!sampled) {
      this.stats.unsampledSegments++;
      return;
    }
    try {
      this.reporter.report(segment);
      this.stats.reportedSegments++;
    } catch (err) {
      if (this.stats.reporterErrors++ === 0) diag.error('reporter.report threw; segment lost', err);
    }
  }
}

/** @internal Every tracer's counters at their start: all zero. */
export function newTracerStats(): TracerStats {
  return {
    droppedSpans: 0,
    droppedTags: 0,
    droppedLogs: 0,
    truncatedValues: 0,
    unsampledSegments: 0,
    reportedSegments: 0,
    reporterErrors: 0,
  };
}

function cutName(name: string, what: string): string {
  if (name.length > MAX_SERVICE_NAME_LENGTH) diag.warn(`${what} "${name}" is longer than ${MAX_SERVICE_NAME_LENGTH} characters; cut`);
  return truncate(name, MAX_SERVICE_NAME_LENGTH);
}
