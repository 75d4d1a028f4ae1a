import { diag } from './diag.js';
import { numberOption } from './limits.js';
import { QueueBounds } from './queue-bounds.js';

/** Bounds of a {@link ReportQueue}. */
export interface ReportQueueOptions {
  /** Most items held. Default 10,000. */
  maxItems?: number;
  /** Most bytes held, as measured by `sizeOf`. Default 16 MiB. */
  maxBytes?: number;
  /** Name used in diagnostics. */
  name?: string;
}

/**
 * A FIFO bounded by item count and bytes. A push that does not fit is dropped and counted:
 * one diagnostic when drops start, one with the count when they stop (the queue has room
 * again and is below half full).
 */
export class ReportQueue<T> {
  /** Most items held (the option, or 10,000). */
  readonly maxItems: number;
  /** Most bytes held (the option, or 16 MiB). */
  readonly maxBytes: number;
  // [item, size] pairs, oldest first. take() splices from the front: at most a few
  // thousand pointers moved per batch, and far less code than a ring buffer.
  private held: Array<[T, number]> = [];
  private bytesHeld = 0;
  private readonly bounds: QueueBounds;
  private readonly name: string;

  constructor(
    private readonly sizeOf: (item: T) => number,
    options: ReportQueueOptions = {},
  ) {
    this.maxItems = numberOption(options.maxItems, 10_000);
    this.maxBytes = numberOption(options.maxBytes, 16 * 1024 * 1024);
    this.name = options.name ?? 'report queue';
    this.bounds = new QueueBounds(this.maxItems, this.maxBytes, this.name);
  }

  /** Items held. */
  get length(): number {
    return this.held.length;
  }

  /** Bytes held, as measured by `sizeOf`. */
  get bytes(): number {
    return this.bytesHeld;
  }

  /** Adds an item at the back; false (and counted) when it does not fit or cannot be measured. */
  push(item: T): boolean {
    const size = this.weigh(item);
    if (size < 0 || !this.fits(size)) return false;
    this.held.push([item, size]);
    this.bytesHeld += size;
    return true;
  }

  /**
   * Puts a batch that failed to send back at the front, as far as it fits; what does not
   * fit is dropped and counted.
   */
  unshift(batch: readonly T[]): void {
    const back: Array<[T, number]> = [];
    for (const item of batch) {
      const size = this.weigh(item);
      if (size < 0 || !this.fits(size, back.length)) continue;
      back.push([item, size]);
      this.bytesHeld += size;
    }
    this.held = back.concat(this.held);
  }

  /** Removes and returns up to `maxItems` items whose sizes add up to at most `maxBytes` (at least one item). */
  take(maxItems: number, maxBytes: number): T[] {
    let n = 0;
    let bytes = 0;
    const e = this.held;
    while (n < e.length && n < maxItems && (n === 0 || bytes + e[n]![1] <= maxBytes)) bytes += e[n++]![1];
    this.bytesHeld -= bytes;
    return e.splice(0, n).map((x) => x[0]);
  }

  /** Drops everything held (not counted as drops). */
  clear(): void {
    this.held = [];
    this.bytesHeld = 0;
  }

  /** Counts `n` items as dropped, e.g. by a caller that could not even enqueue them. */
  drop(n: number): void {
    this.bounds.drop(n);
  }

  /** Items dropped since creation: because the queue was full, or unfit to queue. */
  get dropped(): number {
    return this.bounds.dropped;
  }

  // sizeOf is the caller's: a throw, or a size that is not a number ≥ 0 (NaN would disable
  // the byte bound), drops the item and counts it, here where every caller passes.
  private weigh(item: T): number {
    let size = NaN;
    try {
      size = +this.sizeOf(item);
    } catch {
      // Counted below.
    }
    if (size >= 0 && size < Infinity) return size;
    this.bounds.dropped++;
    diag.once('error', 'queue-size', `${this.name}: sizeOf failed or gave no size; items dropped (counted)`);
    return -1;
  }

  // Room for one more item of `size` (with `pending` items about to be added)? Counts a drop if not.
  private fits(size: number, pending = 0): boolean {
    return this.bounds.fits(this.held.length + pending, this.bytesHeld + size);
  }
}
