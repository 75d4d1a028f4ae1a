/** Source of trace and segment ids. */
export interface IdGenerator {
  /** Returns a new globally unique id (OAP accepts at most 150 characters). */
  next(): string;
}

// Hex digits as char codes, two per byte value.
const HEX_CODES = new Uint8Array(512);
for (let i = 0; i < 256; i++) {
  const h = (i < 16 ? '0' : '') + i.toString(16);
  HEX_CODES[2 * i] = h.charCodeAt(0);
  HEX_CODES[2 * i + 1] = h.charCodeAt(1);
}

// 256 ids per refill: one getRandomValues call and one hex conversion serve them all.
const POOL_IDS = 256;
const ID_LENGTH = 32;

/**
 * Ids of 32 lowercase hex characters (128 random bits, the shape of a W3C trace id)
 * from `crypto.getRandomValues`. Random bytes for 256 ids are turned into one hex string
 * at once; each id is a slice of it. Building each id by concatenation cost more than
 * the rest of a span (and left a rope string that every later read had to flatten).
 */
export class RandomIdGenerator implements IdGenerator {
  private readonly bytes = new Uint8Array((ID_LENGTH / 2) * POOL_IDS);
  private readonly chars = new Uint8Array(ID_LENGTH * POOL_IDS);
  private hex = '';
  private offset = 0;

  next(): string {
    if (this.offset >= this.hex.length) this.refill();
    const o = this.offset;
    this.offset = o + ID_LENGTH;
    return this.hex.slice(o, o + ID_LENGTH);
  }

  private refill(): void {
    const bytes = crypto.getRandomValues(this.bytes);
    const chars = this.chars;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]! << 1;
      chars[2 * i] = HEX_CODES[b]!;
      chars[2 * i + 1] = HEX_CODES[b + 1]!;
    }
    // Hex digits are ASCII, so UTF-8 (the one encoding every runtime decodes) is exact.
    this.hex = (ascii ??= new TextDecoder()).decode(chars);
    this.offset = 0;
  }
}

let ascii: TextDecoder | undefined;

/** A clock in epoch milliseconds. */
export interface Clock {
  now(): number;
}

/** `Date.now()`: epoch milliseconds, what every SkyWalking time field carries. */
export const systemClock: Clock = { now: () => Date.now() };
