// gRPC-web framing (protocol.md §4.2, §4.3): what the browser reporter writes and reads.

/** One uncompressed data frame: flag 0, 4-byte big-endian length, the message. */
export function frame(message: Uint8Array): Uint8Array<ArrayBuffer> {
  const body = new Uint8Array(5 + message.length);
  new DataView(body.buffer).setUint32(1, message.length);
  body.set(message, 5);
  return body;
}

/**
 * The `grpc-status` of a gRPC-web answer: from the trailer frame (flag bit 0x80) in the
 * body, else from the HTTP headers (a trailers-only answer); undefined when neither has one.
 */
export function grpcStatus(body: Uint8Array, headerStatus: string | null): number | undefined {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  for (let i = 0; i + 5 <= body.length; ) {
    const n = view.getUint32(i + 1);
    if (body[i]! & 0x80) {
      const m = /(?:^|\n)grpc-status:\s*(\d+)/i.exec(new TextDecoder().decode(body.subarray(i + 5, i + 5 + n)));
      if (m) return Number(m[1]);
    }
    i += 5 + n;
  }
  return headerStatus ? Number(headerStatus) : undefined;
}
