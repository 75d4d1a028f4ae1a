// gRPC-web framing (protocol.md §4.2, §4.3): what the browser reporter writes and reads.
import { ProtoWriter } from '../core/encode/proto-writer.js';
import { SegmentCollection_segments } from '../core/encode/wire-tags.js';

/**
 * A `SegmentCollection` of segments already encoded (each as it was queued), in one data
 * frame. Not the core's encodeSegmentCollection: its path for unencoded segments is dead
 * weight in the script tag.
 */
export function collectionFrame(segments: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const w = new ProtoWriter(1024);
  for (const s of segments) w.bytes(SegmentCollection_segments, s);
  return frame(w.finish());
}

/** One uncompressed data frame: flag 0, 4-byte big-endian length, the message. */
export function frame(message: Uint8Array): Uint8Array<ArrayBuffer> {
  const body = new Uint8Array(5 + message.length);
  new DataView(body.buffer).setUint32(1, message.length);
  body.set(message, 5);
  return body;
}

/**
 * The `grpc-status` of a gRPC-web answer body: from the trailer frame (flag bit 0x80), else
 * from the HTTP headers (a trailers-only answer); neither is UNKNOWN (2), as the official
 * client treats it.
 */
export function grpcStatus(answer: ArrayBuffer, headerStatus: string | null): number {
  const body = new Uint8Array(answer);
  const view = new DataView(answer);
  for (let i = 0; i + 5 <= body.length; ) {
    const n = view.getUint32(i + 1);
    if (body[i]! & 0x80) {
      const m = /(?:^|\n)grpc-status:\s*(\d+)/i.exec(new TextDecoder().decode(body.subarray(i + 5, i + 5 + n)));
      if (m) return +m[1]!;
    }
    i += 5 + n;
  }
  return +(headerStatus || 2);
}
