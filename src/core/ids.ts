/**
 * Longest trace or segment id: OAP's `trace_id` and `segment_id` storage columns hold 150
 * characters (protocol.md §6.2). Longer ids are refused in sw8 and in snapshots.
 */
export const MAX_ID_LENGTH = 150;

/** Source of trace and segment ids. */
export interface IdGenerator {
  /** Returns a new globally unique id (OAP accepts at most 150 characters). */
  next(): string;
}

const HEX_DIGITS = /* @__PURE__ */ new TextEncoder().encode('0123456789abcdef');

/**
 * Ids of 32 lowercase hex characters (128 random bits, the shape of a W3C trace id)
 * from `crypto.getRandomValues`. Random bytes for 256 ids become one hex string at once
 * and each id is a slice of it: building every id by concatenation cost more than the
 * rest of a span (and left a rope string that every later read had to flatten).
 */
export class RandomIdGenerator implements IdGenerator {
  private hex = '';
  private hexAt = 0;

  next(): string {
    if (this.hexAt >= this.hex.length) {
      const bytes = crypto.getRandomValues(new Uint8Array(4096));
      const chars = new Uint8Array(8192);
      for (let i = 0; i < 4096; i++) {
        chars[2 * i] = HEX_DIGITS[bytes[i]! >> 4]!;
        chars[2 * i + 1] = HEX_DIGITS[bytes[i]! & 15]!;
      }
      // Hex digits are ASCII, so UTF-8 (the one encoding every runtime decodes) is exact.
      this.hex = new TextDecoder().decode(chars);
      this.hexAt = 0;
    }
    return this.hex.slice(this.hexAt, (this.hexAt += 32));
  }
}

/** A clock in epoch milliseconds. */
export interface Clock {
  /**
   * The current time in epoch milliseconds. Fractions are cut; a value that is not a
   * finite number ≥ 0 (or a throw) makes the tracer use `Date.now()` instead.
   */
  now(): number;
}

/**
 * @internal `t` as whole epoch ms when it is a finite number ≥ 0, else `undefined`. Every
 * time field is an int64: OAP's JSON parser (protobuf-java JsonFormat) rejects a whole
 * batch over one fractional value, and NaN would encode as a huge negative varint.
 */
export function wholeMs(t: unknown): number | undefined {
  return Number.isFinite(t) && (t as number) >= 0 ? Math.trunc(t as number) : undefined;
}

/** `Date.now()`: epoch milliseconds, what every SkyWalking time field carries. */
export const systemClock: Clock = { now: () => Date.now() };
