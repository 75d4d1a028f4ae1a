/** Source of trace and segment ids. */
export interface IdGenerator {
  /** Returns a new globally unique id (OAP accepts at most 150 characters). */
  next(): string;
}

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push((i < 16 ? '0' : '') + i.toString(16));

// 256 ids per getRandomValues call: the call dominates the cost of a single id.
const POOL_IDS = 256;

/**
 * Ids of 32 lowercase hex characters (128 random bits, the shape of a W3C trace id)
 * from `crypto.getRandomValues`, drawn from a pooled buffer.
 */
export class RandomIdGenerator implements IdGenerator {
  private pool = new Uint8Array(16 * POOL_IDS);
  private offset = this.pool.length;

  next(): string {
    if (this.offset >= this.pool.length) {
      crypto.getRandomValues(this.pool);
      this.offset = 0;
    }
    const p = this.pool;
    const o = this.offset;
    this.offset = o + 16;
    let id = '';
    for (let i = o; i < o + 16; i++) id += HEX[p[i]!]!;
    return id;
  }
}

/** A clock in epoch milliseconds. */
export interface Clock {
  now(): number;
}

/** `Date.now()`: epoch milliseconds, what every SkyWalking time field carries. */
export const systemClock: Clock = { now: () => Date.now() };
