// gRPC-web (protocol.md §4.3): the status of an answer. The request frame is pb.ts's.
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
