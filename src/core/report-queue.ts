import { diag } from './diag.js';
import { numberOption } from './limits.js';

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
  /** Items dropped because the queue was full, since creation. */
  dropped = 0;
  // [item, size] pairs, oldest first. take() splices from the front: at most a few
  // thousand pointers moved per batch, and far less code than a ring buffer.
  private held: Array<[T, number]> = [];
  private bytesHeld = 0;
  private dropRun = 0;
  private readonly name: string;

  constructor(
    private readonly sizeOf: (item: T) => number,
    options: ReportQueueOptions = {},
  ) {
    this.maxItems = numberOption(options.maxItems, 10_000);
    this.maxBytes = numberOption(options.maxBytes, 16 * 1024 * 1024);
    this.name = options.name ?? 'report queue';
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
    if (this.dropRun === 0) diag.warn(`${this.name} is full (${this.maxItems} items / ${this.maxBytes} bytes): dropping segments`);
    this.dropRun += n;
    this.dropped += n;
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
    this.dropped++;
    diag.once('error', 'queue-size', `${this.name}: sizeOf failed or gave no size; items dropped (counted)`);
    return -1;
  }

  // Room for one more item of `size` (with `pending` items about to be added)? Counts a drop if not.
  private fits(size: number, pending = 0): boolean {
    if (this.held.length + pending >= this.maxItems || this.bytesHeld + size > this.maxBytes) {
      this.drop(1);
      return false;
    }
    // Drops stop once the queue is back under half full, so a queue hovering at its
    // bound (big segments dropped, small ones fitting) logs one pair, not a pair per push.
    if (this.dropRun && (this.held.length + pending) * 2 < this.maxItems && (this.bytesHeld + size) * 2 <= this.maxBytes) {
      diag.warn(`${this.name} has room again; ${this.dropRun} segments were dropped (${this.dropped} in total)`);
      this.dropRun = 0;
    }
    return true;
  }
}
