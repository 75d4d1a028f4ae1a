import { diag } from './diag.js';

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
 * one diagnostic when drops start, one with the count when they stop.
 */
export class ReportQueue<T> {
  readonly maxItems: number;
  readonly maxBytes: number;
  /** Items dropped because the queue was full, since creation. */
  dropped = 0;
  private items: T[] = [];
  private sizes: number[] = [];
  private head = 0;
  private bytesHeld = 0;
  private dropRun = 0;
  private readonly name: string;

  constructor(
    private readonly sizeOf: (item: T) => number,
    options: ReportQueueOptions = {},
  ) {
    this.maxItems = positive(options.maxItems, 10_000);
    this.maxBytes = positive(options.maxBytes, 16 * 1024 * 1024);
    this.name = options.name ?? 'report queue';
  }

  get length(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.bytesHeld;
  }

  /** Adds an item at the back; false (and counted) when it does not fit. */
  push(item: T): boolean {
    const size = this.sizeOf(item);
    if (this.length >= this.maxItems || this.bytesHeld + size > this.maxBytes) {
      this.drop(1);
      return false;
    }
    this.endDropRun();
    this.items.push(item);
    this.sizes.push(size);
    this.bytesHeld += size;
    return true;
  }

  /**
   * Puts a batch that failed to send back at the front, as far as it fits; what does not
   * fit is dropped and counted.
   */
  unshift(batch: readonly T[]): void {
    const room: T[] = [];
    const roomSizes: number[] = [];
    let bytes = this.bytesHeld;
    let count = this.length;
    for (const item of batch) {
      const size = this.sizeOf(item);
      if (count >= this.maxItems || bytes + size > this.maxBytes) {
        this.drop(1);
        continue;
      }
      room.push(item);
      roomSizes.push(size);
      bytes += size;
      count++;
    }
    this.compact();
    this.items = room.concat(this.items);
    this.sizes = roomSizes.concat(this.sizes);
    this.bytesHeld = bytes;
  }

  /** Removes and returns up to `maxItems` items whose sizes add up to at most `maxBytes` (at least one item). */
  take(maxItems: number, maxBytes: number): T[] {
    const out: T[] = [];
    let bytes = 0;
    while (this.head < this.items.length && out.length < maxItems) {
      const size = this.sizes[this.head]!;
      if (out.length > 0 && bytes + size > maxBytes) break;
      out.push(this.items[this.head]!);
      bytes += size;
      this.bytesHeld -= size;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) this.compact();
    if (this.head === this.items.length) this.clear();
    return out;
  }

  /** Drops everything held (not counted as drops). */
  clear(): void {
    this.items = [];
    this.sizes = [];
    this.head = 0;
    this.bytesHeld = 0;
  }

  /** Counts `n` items as dropped, e.g. by a caller that could not even enqueue them. */
  drop(n: number): void {
    if (this.dropRun === 0) diag.warn(`${this.name} is full (${this.maxItems} items / ${this.maxBytes} bytes): dropping segments`);
    this.dropRun += n;
    this.dropped += n;
  }

  private endDropRun(): void {
    if (this.dropRun === 0) return;
    diag.warn(`${this.name} has room again; ${this.dropRun} segments were dropped (${this.dropped} in total)`);
    this.dropRun = 0;
  }

  private compact(): void {
    if (this.head === 0) return;
    this.items = this.items.slice(this.head);
    this.sizes = this.sizes.slice(this.head);
    this.head = 0;
  }
}

function positive(v: number | undefined, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 1 ? Math.floor(v) : fallback;
}
