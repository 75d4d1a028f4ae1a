import { diag } from '../diag.js';
import type { Meter, MeterLabel, MeterSample } from './model.js';

/** A histogram as users hold it. */
export interface HistogramHandle {
  /** Counts `v` into the bucket of the greatest step <= v; values below the first step are dropped. */
  addValue(v: number): void;
}

/**
 * Counts of values per bucket; the steps are the buckets' lower bounds (OAP labels each
 * bucket `le=<lower bound>`). Counts are cumulative over the process's life, as in the
 * Rust and Java agents. @internal Created by {@link MeterRegistry.histogram}.
 */
export class Histogram implements Meter, HistogramHandle {
  private readonly counts: number[];
  /** Values below the first step or not finite: dropped, counted here. */
  dropped = 0;

  constructor(
    readonly name: string,
    readonly labels: readonly MeterLabel[],
    private readonly steps: readonly number[],
  ) {
    this.counts = steps.map(() => 0);
  }

  addValue(v: number): void {
    const steps = this.steps;
    if (typeof v !== 'number' || !(v >= steps[0]!) || v === Infinity) {
      // Below the first step is by design (as the Rust agent); NaN and non-numbers are misuse.
      if (typeof v !== 'number' || Number.isNaN(v)) diag.once('warn', `meter-histogram-${this.name}`, `meter ${this.name}: addValue(${String(v)}) refused; a histogram takes numbers`);
      this.dropped++;
      return;
    }
    // Binary search: the last step <= v.
    let lo = 0;
    let hi = steps.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (steps[mid]! <= v) lo = mid;
      else hi = mid - 1;
    }
    this.counts[lo]!++;
  }

  collect(): MeterSample {
    return { kind: 'histogram', name: this.name, labels: this.labels, buckets: this.steps.map((bucket, i) => ({ bucket, count: this.counts[i]! })) };
  }
}

/**
 * Steps as a histogram needs them: finite numbers, sorted, without duplicates, at most
 * `max`. Undefined (with a diagnostic) when nothing usable is left.
 */
export function normalizeSteps(name: string, steps: unknown, max: number): number[] | undefined {
  if (!Array.isArray(steps)) {
    diag.warn(`meter ${name}: histogram steps must be an array of numbers; meter not created`);
    return undefined;
  }
  const good = steps.filter((s): s is number => typeof s === 'number' && Number.isFinite(s));
  if (good.length < steps.length) diag.warn(`meter ${name}: ${steps.length - good.length} histogram steps are not finite numbers; ignored`);
  const sorted = [...new Set(good)].sort((a, b) => a - b);
  if (sorted.length === 0) {
    diag.warn(`meter ${name}: a histogram needs at least one step; meter not created`);
    return undefined;
  }
  if (sorted.length > max) {
    diag.warn(`meter ${name}: at most ${max} histogram steps; the rest are ignored`);
    sorted.length = max;
  }
  return sorted;
}
