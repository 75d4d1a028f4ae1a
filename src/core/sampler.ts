import type { Clock } from './ids.js';
import { systemClock } from './ids.js';

/**
 * Decides whether a new trace is recorded. Consulted only for traces that start here:
 * an upstream decision (the sw8 sample flag or a captured snapshot) always wins.
 */
export interface Sampler {
  /**
   * True to record the trace that starts with a first span named `operationName`. Only
   * `false` declines; a throw samples (and is logged to diagnostics).
   */
  shouldSample(operationName: string): boolean;
}

/** Records every trace (the default). */
export class AlwaysOnSampler implements Sampler {
  shouldSample(): boolean {
    return true;
  }
}

/** Records a fraction of traces, chosen at random. `ratio` is clamped to [0, 1]. */
export class RatioSampler implements Sampler {
  /** The fraction recorded, in [0, 1]. */
  readonly ratio: number;
  constructor(ratio: number) {
    this.ratio = Number.isFinite(ratio) ? Math.min(1, Math.max(0, ratio)) : 1;
  }
  shouldSample(): boolean {
    return this.ratio >= 1 || (this.ratio > 0 && Math.random() < this.ratio);
  }
}

/**
 * Records at most `perSecond` new traces in each wall-clock second (the Java agent's
 * `sample_n_per_3_secs`, per second). A non-positive or invalid limit records everything.
 */
export class RateLimitingSampler implements Sampler {
  /** New traces recorded per second at most; 0 records everything. */
  readonly perSecond: number;
  private windowStart = 0;
  private used = 0;
  constructor(
    perSecond: number,
    private readonly clock: Clock = systemClock,
  ) {
    this.perSecond = Number.isFinite(perSecond) && perSecond > 0 ? Math.floor(perSecond) : 0;
  }
  shouldSample(): boolean {
    if (this.perSecond === 0) return true;
    const now = this.clock.now();
    if (now - this.windowStart >= 1000 || now < this.windowStart) {
      this.windowStart = now - (now % 1000);
      this.used = 0;
    }
    if (this.used >= this.perSecond) return false;
    this.used++;
    return true;
  }
}
