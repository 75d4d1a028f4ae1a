import { diag } from './diag.js';

/**
 * A queue's two bounds (items and bytes) and its drop accounting, one rule for every queue:
 * a push that does not fit is dropped and counted; one diagnostic when drops start, one with
 * the count when they stop. They stop once the queue is back under half full, so a queue
 * hovering at its bound (big segments dropped, small ones fitting) logs one pair, not a pair
 * per push.
 * @internal
 */
export class QueueBounds {
  /** Items dropped since creation. */
  dropped = 0;
  private run = 0;

  constructor(
    readonly maxItems: number,
    readonly maxBytes: number,
    private readonly name: string,
  ) {}

  /**
   * Room for one more item, with `items` held (counting any about to be added before it) and
   * `bytes` held once it is added? Counts a drop if not.
   */
  fits(items: number, bytes: number): boolean {
    if (items >= this.maxItems || bytes > this.maxBytes) {
      this.drop(1);
      return false;
    }
    if (this.run && items * 2 < this.maxItems && bytes * 2 <= this.maxBytes) {
      diag.warn(`${this.name} has room again; ${this.run} segments were dropped (${this.dropped} in total)`);
      this.run = 0;
    }
    return true;
  }

  /** Counts `n` items dropped because the queue was full. */
  drop(n: number): void {
    if (this.run === 0) diag.warn(`${this.name} is full (${this.maxItems} items / ${this.maxBytes} bytes): dropping segments`);
    this.run += n;
    this.dropped += n;
  }
}
