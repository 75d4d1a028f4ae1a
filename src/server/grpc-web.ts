// gRPC-web framing (PROTOCOL-WEB): every message is 1 flag byte + 4-byte big-endian length +
// payload; flag 0x80 marks the trailer frame. Text mode base64-encodes the whole body.

/** A gRPC-web body that cannot be parsed. */
export class GrpcWebFormatError extends Error {
  override name = 'GrpcWebFormatError';
}

/** The data frames of a request body, and its trailer block if one was sent. */
export interface GrpcWebFrames {
  messages: Uint8Array[];
  trailer?: string;
}

/** Parses a gRPC-web body; throws {@link GrpcWebFormatError} on truncated or compressed frames. */
export function parseGrpcWebFrames(body: Uint8Array, text: boolean): GrpcWebFrames {
  const bytes = text ? decodeTextBody(body) : body;
  const out: GrpcWebFrames = { messages: [] };
  let p = 0;
  while (p < bytes.length) {
    if (p + 5 > bytes.length) throw new GrpcWebFormatError('truncated frame header');
    const flag = bytes[p]!;
    const len = ((bytes[p + 1]! << 24) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 8) | bytes[p + 4]!) >>> 0;
    p += 5;
    if (p + len > bytes.length) throw new GrpcWebFormatError(`truncated frame: ${len} bytes announced, ${bytes.length - p} present`);
    const payload = bytes.subarray(p, p + len);
    p += len;
    if (flag & 0x80) out.trailer = Buffer.from(payload).toString('latin1');
    else if (flag & 0x01) throw new GrpcWebFormatError('compressed frames are not supported');
    else out.messages.push(payload);
  }
  return out;
}

// Text bodies may be several base64 chunks, each padded: decode chunk by chunk.
function decodeTextBody(body: Uint8Array): Uint8Array {
  const text = Buffer.from(body).toString('latin1').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/=]*$/.test(text)) throw new GrpcWebFormatError('text body is not base64');
  const chunks = text.match(/[^=]*(=+|$)/g)?.filter(Boolean) ?? [];
  return Buffer.concat(chunks.map((c) => Buffer.from(c, 'base64')));
}

function frame(flag: number, payload: Uint8Array): Buffer {
  const b = Buffer.alloc(5 + payload.length);
  b[0] = flag;
  b.writeUInt32BE(payload.length, 1);
  b.set(payload, 5);
  return b;
}

/** A response body: the message (unless the status is an error) and a trailer frame with the status. */
export function encodeGrpcWebResponse(message: Uint8Array | undefined, status: number, statusMessage = '', text = false): Buffer {
  let trailer = `grpc-status:${status}\r\n`;
  if (statusMessage) trailer += `grpc-message:${encodeURIComponent(statusMessage)}\r\n`;
  const parts: Buffer[] = [];
  if (message && status === 0) parts.push(frame(0x00, message));
  parts.push(frame(0x80, Buffer.from(trailer, 'latin1')));
  const body = Buffer.concat(parts);
  return text ? Buffer.from(body.toString('base64'), 'latin1') : body;
}
