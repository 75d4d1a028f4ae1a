// A minimal protobuf writer: just the wire types SegmentObject needs. protobufjs's
// runtime is larger than the whole browser budget; this is a few hundred bytes.

// Pure: a bundle that never writes protobuf drops it (the chunks share this module).
const utf8 = /* @__PURE__ */ new TextEncoder();

/**
 * Appends protobuf fields to a growable buffer. Keys are single bytes (every field
 * number we write is below 16). @internal
 */
export class ProtoWriter {
  buf: Uint8Array;
  pos = 0;
  // Over `buf`'s buffer, made on the first double; remade when `buf` grows.
  private view: DataView | undefined;

  constructor(initialSize = 1024) {
    this.buf = new Uint8Array(initialSize);
  }

  reset(): void {
    this.pos = 0;
  }

  /**
   * The bytes written so far, as a standalone array (offset 0, exact length): callers may
   * keep it or send its `.buffer`. A writer that carves results out of shared slabs, for
   * a reporter that knows it drops them soon, overrides this (the Node reporter's SlabWriter).
   */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Writes an unsigned varint of up to 2^53. */
  varint(value: number): void {
    const lo = value >>> 0;
    this.varint64(lo, ((value - lo) / 4294967296) >>> 0);
  }

  // 32-bit halves with integer ops: much faster than % and Math.floor on doubles.
  private varint64(lo: number, hi: number): void {
    this.ensure(10);
    const b = this.buf;
    let p = this.pos;
    while (hi !== 0) {
      b[p++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo > 0x7f) {
      b[p++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    b[p++] = lo;
    this.pos = p;
  }

  /**
   * A varint field holding a non-negative integer (an enum, an int64 time); 0 is the default
   * and is not written. Anything not > 0 (negative, NaN) is written as that default too:
   * NaN would otherwise become a ten-byte -4294967296.
   */
  uint(key: number, value: number): void {
    if (!(value > 0)) return;
    this.ensure(1);
    this.buf[this.pos++] = key;
    this.varint(value);
  }

  /**
   * An int32 field that may be negative (proto sign-extends negatives to 10 bytes). The
   * value is first made an int32 (`| 0`, as protobufjs does): a larger number would
   * otherwise become a varint of 6+ bytes, which int32 decoders refuse ("index out of range").
   */
  int32(key: number, value: number): void {
    const v = value | 0;
    if (v >= 0) return this.uint(key, v);
    this.ensure(1);
    this.buf[this.pos++] = key;
    this.varint64(v >>> 0, 0xffffffff);
  }

  /**
   * A double field (wire type 1: 8 bytes, little-endian). 0 is the default and is not
   * written; callers refuse NaN and infinities before they get here.
   */
  double(key: number, value: number): void {
    if (value === 0) return;
    this.ensure(9);
    this.buf[this.pos++] = key;
    let view = this.view;
    if (view?.buffer !== this.buf.buffer) view = this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  bool(key: number, value: boolean): void {
    if (!value) return;
    this.ensure(2);
    this.buf[this.pos++] = key;
    this.buf[this.pos++] = 1;
  }

  /** A string field; the empty string is the default and is not written. */
  string(key: number, value: string): void {
    const n = value.length;
    if (n === 0) return;
    this.ensure(n * 3 + 6);
    const b = this.buf;
    const start = this.pos;
    b[start] = key;
    // Fast path, one pass: ASCII text shorter than 128 characters (nearly every name,
    // id and tag) is written byte for byte after a one-byte length.
    if (n < 0x80) {
      let p = start + 2;
      let i = 0;
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c > 0x7f) break;
        b[p++] = c;
      }
      if (i === n) {
        b[start + 1] = n;
        this.pos = p;
        return;
      }
    }
    this.pos = start + 1;
    const at = this.fork();
    this.pos += utf8.encodeInto(value, this.buf.subarray(this.pos)).written;
    this.join(at);
  }

  /** Raw bytes as a length-delimited field. */
  bytes(key: number, value: Uint8Array): void {
    this.ensure(value.length + 6);
    this.buf[this.pos++] = key;
    this.varint(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  /** Starts a length-delimited field: writes the key, reserves one length byte. */
  open(key: number): number {
    this.ensure(1);
    this.buf[this.pos++] = key;
    return this.fork();
  }

  private fork(): number {
    this.ensure(1);
    return this.pos++;
  }

  /** Ends the field started by {@link open}, moving its body when the length needs more bytes. */
  join(start: number): void {
    const len = this.pos - start - 1;
    if (len < 0x80) {
      this.buf[start] = len;
      return;
    }
    let extra = 0;
    for (let v = len >>> 7; v > 0; v >>>= 7) extra++;
    this.ensure(extra);
    const b = this.buf;
    b.copyWithin(start + 1 + extra, start + 1, this.pos);
    let p = start;
    let v = len;
    while (v > 0x7f) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[p] = v;
    this.pos += extra;
  }
}
