import { ProtoWriter } from '../../core/encode/proto-writer.js';

/**
 * A writer whose result is a view of its own scratch buffer, valid until the next encode:
 * the reporter's compact queue copies it into a slab at once, so a segment costs no
 * buffer of its own between encoding and queueing.
 */
export class ScratchWriter extends ProtoWriter {
  override finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}
