// gRPC's length-prefixed messages, as gRPC over HTTP/2 and gRPC-web both carry them: every
// message is 1 flag byte + a 4-byte big-endian length + the payload. In gRPC-web, flag 0x80
// marks the trailer frame; flag 0x01 marks a compressed message in either.

/** Bytes before each payload: the flag and the length. */
export const FRAME_HEADER_BYTES = 5;
/** The flag of gRPC-web's trailer frame. */
export const TRAILER_FLAG = 0x80;
/** The flag of a compressed message. */
export const COMPRESSED_FLAG = 0x01;

/** One frame of a body: its flag byte and its payload (a view into the body). */
export interface GrpcFrame {
  readonly flag: number;
  readonly payload: Uint8Array;
}

/**
 * Frames `payloads` with one flag into one buffer (one allocation for the whole body), or
 * into `into` when it is large enough (a caller reusing its buffer between sends).
 */
export function frameMessages(payloads: readonly Uint8Array[], flag = 0, into?: Buffer): Buffer {
  let total = 0;
  for (const m of payloads) total += FRAME_HEADER_BYTES + m.length;
  const body = into && into.length >= total ? into.subarray(0, total) : Buffer.allocUnsafe(total);
  let p = 0;
  for (const m of payloads) {
    body[p] = flag;
    body.writeUInt32BE(m.length, p + 1);
    body.set(m, p + FRAME_HEADER_BYTES);
    p += FRAME_HEADER_BYTES + m.length;
  }
  return body;
}

/**
 * Splits a body into its frames. A truncated header or payload is answered with `error`
 * (what is wrong, for the caller's own error type) instead of a throw.
 */
export function splitFrames(bytes: Uint8Array): { frames: GrpcFrame[]; error?: undefined } | { frames?: undefined; error: string } {
  const frames: GrpcFrame[] = [];
  let p = 0;
  while (p < bytes.length) {
    if (p + FRAME_HEADER_BYTES > bytes.length) return { error: 'truncated frame header' };
    const flag = bytes[p]!;
    const len = ((bytes[p + 1]! << 24) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 8) | bytes[p + 4]!) >>> 0;
    p += FRAME_HEADER_BYTES;
    if (p + len > bytes.length) return { error: `truncated frame: ${len} bytes announced, ${bytes.length - p} present` };
    frames.push({ flag, payload: bytes.subarray(p, p + len) });
    p += len;
  }
  return { frames };
}
