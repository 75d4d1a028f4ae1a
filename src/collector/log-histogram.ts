// A fixed-resolution histogram for the browser view's percentiles: every value lands in a
// bucket, so memory grows with the number of distinct buckets seen (at most a few hundred),
// never with the number of values.

/** Values below this are kept exactly (one bucket per whole unit). */
const LINEAR_LIMIT = 100;
/** Above {@link LINEAR_LIMIT}, each bucket is this much wider than the last (±2.5 % error). */
const RATIO = 1.05;
const LOG_RATIO = Math.log(RATIO);
/** The last bucket takes everything from about 10^9 units up (a broken clock, not a timing). */
const MAX_INDEX = LINEAR_LIMIT + Math.ceil(Math.log(1e9 / LINEAR_LIMIT) / LOG_RATIO);

/** Approximate heap bytes per bucket (a Map entry with two numbers). */
export const BUCKET_BYTES = 40;

function indexOf(v: number): number {
  if (v < LINEAR_LIMIT) return Math.floor(v);
  return Math.min(MAX_INDEX, LINEAR_LIMIT + Math.floor(Math.log(v / LINEAR_LIMIT) / LOG_RATIO));
}

/** The representative value of bucket `i`: the unit itself, or the geometric middle of the bucket. */
function valueOf(i: number): number {
  if (i < LINEAR_LIMIT) return i;
  return LINEAR_LIMIT * Math.pow(RATIO, i - LINEAR_LIMIT + 0.5);
}

/**
 * Count, sum, min, max and a bucketed distribution of non-negative values. Percentiles are
 * exact below 100 units and within 2.5 % above, and never outside [min, max].
 */
export class LogHistogram {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  private readonly buckets = new Map<number, number>();

  /** Distinct buckets held: what the histogram costs, {@link BUCKET_BYTES} each. */
  get size(): number {
    return this.buckets.size;
  }

  /** Adds `v` (finite and ≥ 0; anything else is ignored); returns the number of new buckets (0 or 1). */
  add(v: number): number {
    if (!Number.isFinite(v) || v < 0) return 0;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    const i = indexOf(v);
    const before = this.buckets.get(i);
    this.buckets.set(i, (before ?? 0) + 1);
    return before === undefined ? 1 : 0;
  }

  /** The value below which a fraction `q` (0…1) of the values lie; undefined when empty. */
  quantile(q: number): number | undefined {
    if (!this.count) return undefined;
    // The nearest-rank rule: the smallest value with at least q × count values at or below it.
    const rank = Math.max(1, Math.ceil(q * this.count));
    // The extremes are known exactly.
    if (rank === 1) return this.min;
    if (rank >= this.count) return this.max;
    let seen = 0;
    for (const i of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += this.buckets.get(i)!;
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, valueOf(i)));
    }
    return this.max;
  }
}
