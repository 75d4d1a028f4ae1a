// A fixed-resolution histogram for the browser view's percentiles: every value lands in a
// bucket, so memory grows with the number of distinct buckets seen (at most a few hundred),
// never with the number of values.

/** Values below this are kept exactly (one bucket per whole unit). */
const LINEAR_LIMIT = 100;
/** Above {@link LINEAR_LIMIT}, each bucket is this much wider than the last (at most 5 % error). */
const RATIO = 1.05;
const LOG_RATIO = Math.log(RATIO);
/** The last bucket takes everything from about 10^9 units up (a broken clock, not a timing). */
const MAX_INDEX = LINEAR_LIMIT + Math.ceil(Math.log(1e9 / LINEAR_LIMIT) / LOG_RATIO);

/** Approximate heap bytes per bucket (a Map entry holding a count and a sum). */
export const BUCKET_BYTES = 80;

function indexOf(v: number): number {
  if (v < LINEAR_LIMIT) return Math.floor(v);
  return Math.min(MAX_INDEX, LINEAR_LIMIT + Math.floor(Math.log(v / LINEAR_LIMIT) / LOG_RATIO));
}

/**
 * Count, sum, min, max and a bucketed distribution of non-negative values. A percentile is
 * the mean of the values in its bucket: exact when the bucket holds one distinct value (so
 * for a few values), otherwise within the bucket (whole units below 100, 5 % wide above).
 */
export class LogHistogram {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  /** Count and sum of the values in each bucket. */
  private readonly buckets = new Map<number, [number, number]>();

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
    const b = this.buckets.get(i);
    if (b) {
      b[0]++;
      b[1] += v;
      return 0;
    }
    this.buckets.set(i, [1, v]);
    return 1;
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
      const [n, sum] = this.buckets.get(i)!;
      seen += n;
      if (seen >= rank) return sum / n;
    }
    return this.max;
  }
}
