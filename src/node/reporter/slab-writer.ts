import { ProtoWriter } from '../../core/encode/proto-writer.js';

/**
 * A writer whose results are views into shared 64 KiB slabs instead of fresh buffers: in
 * Node, allocating a small Uint8Array per segment costs more than encoding it. A slab is
 * freed once every segment view on it has been sent and dropped.
 */
export class SlabWriter extends ProtoWriter {
  private slab = new Uint8Array(0);
  private used = 0;

  override finish(): Uint8Array {
    const n = this.pos;
    if (n > 8192) return super.finish();
    if (this.used + n > this.slab.length) {
      this.slab = new Uint8Array(65536);
      this.used = 0;
    }
    const out = this.slab.subarray(this.used, this.used + n);
    out.set(this.buf.subarray(0, n));
    this.used += n;
    return out;
  }
}
