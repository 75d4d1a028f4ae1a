import { diag } from './diag.js';
import { numberOption } from './limits.js';
import { QueueBounds } from './queue-bounds.js';
import type { ReportQueueOptions } from './report-queue.js';

/** Bounds and layout of a {@link CompactQueue}. */
export interface CompactQueueOptions extends ReportQueueOptions {
  /** Bytes per slab: one allocation holds this many bytes of items. Default 64 KiB. */
  slabSize?: number;
}

// Each item is stored as a 4-byte little-endian length, then its bytes.
const PREFIX = 4;

/**
 * A FIFO of byte strings (encoded segments) bounded by item count and bytes, stored
 * compactly: items are copied into a few large slabs (one allocation per `slabSize`
 * bytes, not one per item), so a queue of 10,000 segments is a few dozen buffers and no
 * per-segment object for the garbage collector to trace or copy. Emptied slabs are kept
 * for reuse (up to a quarter of the bound), so a queue cycling at its bound allocates nothing new.
 *
 * Pushed items are copied: the caller may reuse its buffer at once (an encoder's scratch
 * buffer). Taken items are views into one buffer per batch, owned by that batch: the slabs
 * they came from are reused while the batch is in flight. A batch given back with
 * {@link unshift} (a failed send) is held as it is, ahead of the slabs.
 *
 * Drops are counted like {@link ReportQueue}'s: one diagnostic when they start, one with the
 * count when the queue is below half full again.
 */
export class CompactQueue {
  /** Most items held (the option, or 10,000). */
  readonly maxItems: number;
  /** Most bytes of items held (the option, or 4 MiB). */
  readonly maxBytes: number;
  /** Bytes per slab. */
  readonly slabSize: number;
  /** Slabs allocated since creation: stays put while the queue cycles within its bounds. */
  slabsAllocated = 0;
  // Requeued items (a failed batch), oldest first from frontPos; they come before the slabs.
  private front: Uint8Array[] = [];
  private frontPos = 0;
  // Slabs in use, oldest first: items are read from slabs[0] at readPos and appended to
  // the last one at its fill. fill[i] is how far slabs[i] is written.
  private slabs: Uint8Array[] = [];
  private fill: number[] = [];
  private readPos = 0;
  // Emptied slabs kept for reuse, at most maxSpare: enough for a batch's worth of churn,
  // little enough that a drained queue holds at most a quarter of its bound.
  private spare: Uint8Array[] = [];
  private readonly maxSpare: number;
  private count = 0;
  private bytesHeld = 0;
  private readonly bounds: QueueBounds;
  private readonly name: string;

  constructor(options: CompactQueueOptions = {}) {
    this.maxItems = numberOption(options.maxItems, 10_000);
    this.maxBytes = numberOption(options.maxBytes, 4 * 1024 * 1024);
    this.slabSize = Math.max(256, numberOption(options.slabSize, 64 * 1024));
    this.name = options.name ?? 'report queue';
    this.bounds = new QueueBounds(this.maxItems, this.maxBytes, this.name);
    this.maxSpare = Math.max(4, Math.ceil(this.maxBytes / this.slabSize / 4));
  }

  /** Items held. */
  get length(): number {
    return this.count;
  }

  /** Bytes of items held (without the slabs' own overhead). */
  get bytes(): number {
    return this.bytesHeld;
  }

  /** Slabs held now, in use and spare: with the slab size, the queue's memory. */
  get slabCount(): number {
    return this.slabs.length + this.spare.length;
  }

  /** Copies `item` in at the back; false (and counted) when it does not fit. */
  push(item: Uint8Array): boolean {
    // An encoder's bug must not corrupt the slabs: anything else is dropped and counted.
    if (!(item instanceof Uint8Array)) {
      this.bounds.dropped++;
      diag.once('error', 'compact-queue-item', `${this.name}: an encoded item was not bytes; dropped (counted)`);
      return false;
    }
    const size = item.length;
    if (!this.fits(size)) return false;
    const n = PREFIX + size;
    let last = this.slabs.length - 1;
    if (last < 0 || this.fill[last]! + n > this.slabs[last]!.length) {
      this.slabs.push(this.newSlab(n));
      this.fill.push(0);
      last++;
    }
    const slab = this.slabs[last]!;
    let p = this.fill[last]!;
    slab[p++] = size & 0xff;
    slab[p++] = (size >>> 8) & 0xff;
    slab[p++] = (size >>> 16) & 0xff;
    slab[p++] = size >>> 24;
    slab.set(item, p);
    this.fill[last] = p + size;
    this.count++;
    this.bytesHeld += size;
    return true;
  }

  /**
   * Puts a batch that failed to send back at the front, as far as it fits; what does not
   * fit is dropped and counted. The batch's arrays are kept, not copied: they are the
   * batch's own (from {@link take}).
   */
  unshift(batch: readonly Uint8Array[]): void {
    const back: Uint8Array[] = [];
    for (const item of batch) {
      if (!this.fits(item.length, back.length)) continue;
      back.push(item);
      this.bytesHeld += item.length;
    }
    this.count += back.length;
    this.front = back.concat(this.front.slice(this.frontPos));
    this.frontPos = 0;
  }

  /**
   * Removes and returns up to `maxItems` items whose sizes add up to at most `maxBytes` (at
   * least one item). Items from the slabs are copied into one new buffer for the batch.
   */
  take(maxItems: number, maxBytes: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    let bytes = 0;
    const under = (size: number) => out.length < maxItems && (out.length === 0 || bytes + size <= maxBytes);
    // Requeued items first: they are older than anything in the slabs.
    while (this.frontPos < this.front.length && under(this.front[this.frontPos]!.length)) {
      const item = this.front[this.frontPos++]!;
      out.push(item);
      bytes += item.length;
    }
    if (this.frontPos < this.front.length) {
      // The batch is full before the requeued items are: newer items wait behind them.
      this.count -= out.length;
      this.bytesHeld -= bytes;
      return out;
    }
    this.front = [];
    this.frontPos = 0;
    // Then the slabs: a first pass measures what goes, a second copies it out.
    let si = 0;
    let pos = this.readPos;
    let n = out.length;
    let fromSlabs = 0;
    while (si < this.slabs.length && n < maxItems) {
      if (pos >= this.fill[si]!) {
        si++;
        pos = 0;
        continue;
      }
      const size = readLength(this.slabs[si]!, pos);
      if (!(n === 0 || bytes + fromSlabs + size <= maxBytes)) break;
      fromSlabs += size;
      pos += PREFIX + size;
      n++;
    }
    const wanted = n - out.length;
    if (wanted > 0) {
      const buf = new Uint8Array(fromSlabs);
      let w = 0;
      for (let i = 0; i < wanted; i++) {
        if (this.readPos >= this.fill[0]!) this.retireHead();
        const slab = this.slabs[0]!;
        const size = readLength(slab, this.readPos);
        const start = this.readPos + PREFIX;
        buf.set(slab.subarray(start, start + size), w);
        out.push(buf.subarray(w, w + size));
        w += size;
        this.readPos = start + size;
      }
      bytes += fromSlabs;
      if (this.slabs.length > 0 && this.readPos >= this.fill[0]!) this.retireHead();
    }
    this.count -= out.length;
    this.bytesHeld -= bytes;
    return out;
  }

  /** Drops everything held (not counted as drops). Some slabs are kept for reuse. */
  clear(): void {
    this.front = [];
    this.frontPos = 0;
    while (this.slabs.length > 0) this.retireHead();
    this.count = 0;
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

  // A slab for an item taking `n` bytes with its prefix: the spare, a new one, or (for an
  // item larger than a slab) one of its own size, which is not kept for reuse.
  private newSlab(n: number): Uint8Array {
    if (n > this.slabSize) {
      this.slabsAllocated++;
      return new Uint8Array(n);
    }
    const s = this.spare.pop();
    if (s) return s;
    this.slabsAllocated++;
    return new Uint8Array(this.slabSize);
  }

  // The oldest slab is read: it becomes a spare (if it has the standard size and there is room).
  private retireHead(): void {
    const s = this.slabs.shift()!;
    this.fill.shift();
    this.readPos = 0;
    if (s.length === this.slabSize && this.spare.length < this.maxSpare) this.spare.push(s);
  }

  // Room for one more item of `size` (with `pending` items about to be added)? Counts a drop if not.
  private fits(size: number, pending = 0): boolean {
    return this.bounds.fits(this.count + pending, this.bytesHeld + size);
  }
}

function readLength(slab: Uint8Array, p: number): number {
  return (slab[p]! | (slab[p + 1]! << 8) | (slab[p + 2]! << 16)) + slab[p + 3]! * 0x1000000;
}
