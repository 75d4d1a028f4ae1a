// The latest records of one kind (logs, meters, browser errors), bounded by count and bytes.

/**
 * Newest-last list that keeps at most `maxItems` records and `maxBytes` of their estimated
 * size ({@link recordBytes}), dropping the oldest first.
 */
export class KeptList {
  readonly items: Array<Record<string, unknown>> = [];
  private readonly sizes: number[] = [];
  /** Estimated bytes of the kept records. */
  bytes = 0;

  constructor(
    private readonly maxItems: number,
    private readonly maxBytes: number,
  ) {}

  /**
   * Appends `record` of `size` bytes, dropping the oldest as needed; returns the change in
   * {@link bytes}, or undefined when the record alone is over the byte bound (not kept).
   */
  push(record: Record<string, unknown>, size: number): number | undefined {
    if (size > this.maxBytes) return undefined;
    const before = this.bytes;
    this.items.push(record);
    this.sizes.push(size);
    this.bytes += size;
    let drop = 0;
    while (this.items.length - drop > this.maxItems || this.bytes > this.maxBytes) this.bytes -= this.sizes[drop++]!;
    if (drop) {
      this.items.splice(0, drop);
      this.sizes.splice(0, drop);
    }
    return this.bytes - before;
  }
}

/**
 * Approximate heap bytes of a decoded record (plain objects, arrays, strings, numbers, byte
 * arrays): 2 bytes per string character plus a fixed cost per value. One pass, no recursion
 * (a deep record cannot overflow the stack).
 */
export function recordBytes(value: unknown): number {
  let n = 0;
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    n += 16;
    if (typeof v === 'string') n += 2 * v.length;
    else if (ArrayBuffer.isView(v)) n += v.byteLength;
    else if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (v && typeof v === 'object')
      for (const k of Object.keys(v)) {
        n += 16 + 2 * k.length;
        stack.push((v as Record<string, unknown>)[k]);
      }
  }
  return n;
}
