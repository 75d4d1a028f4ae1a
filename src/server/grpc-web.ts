// gRPC-web bodies (PROTOCOL-WEB): gRPC's framed messages (grpc-frame.ts) and a trailer frame
// for the status. Text mode base64-encodes the whole body.
import { COMPRESSED_FLAG, frameMessages, splitFrames, TRAILER_FLAG } from './grpc-frame.js';

/** A gRPC-web body that cannot be parsed. */
export class GrpcWebFormatError extends Error {
  override name = 'GrpcWebFormatError';
}

/** The data frames of a request body, and its trailer block if one was sent. */
export interface GrpcWebFrames {
  messages: Uint8Array[];
  trailer?: string;
}

/** How a gRPC-web body is encoded: `text` for `application/grpc-web-text` (base64). */
export interface GrpcWebBodyMode {
  text: boolean;
}

/**
 * Parses a gRPC-web body into its data frames and trailer block. Throws
 * {@link GrpcWebFormatError} on truncated frames, compressed frames or invalid base64.
 * `mode` may also be a plain boolean (`true` = text mode).
 */
export function parseGrpcWebFrames(body: Uint8Array, mode: GrpcWebBodyMode | boolean): GrpcWebFrames {
  const text = typeof mode === 'boolean' ? mode : mode.text;
  const bytes = text ? decodeTextBody(body) : body;
  const split = splitFrames(bytes);
  if (split.error !== undefined) throw new GrpcWebFormatError(split.error);
  const out: GrpcWebFrames = { messages: [] };
  for (const { flag, payload } of split.frames) {
    if (flag & TRAILER_FLAG) out.trailer = Buffer.from(payload).toString('latin1');
    else if (flag & COMPRESSED_FLAG) throw new GrpcWebFormatError('compressed frames are not supported');
    else out.messages.push(payload);
  }
  return out;
}

// Text bodies may be several base64 chunks, each padded: decode chunk by chunk.
function decodeTextBody(body: Uint8Array): Uint8Array {
  const text = Buffer.from(body).toString('latin1').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/=]*$/.test(text)) throw new GrpcWebFormatError('text body is not base64');
  const chunks = text.match(/[^=]*(=+|$)/g)?.filter(Boolean) ?? [];
  // Buffer.from(…, 'base64') silently drops a dangling character: reject it instead.
  for (const c of chunks) if (c.length % 4 === 1 || (c.endsWith('=') && c.length % 4 !== 0)) throw new GrpcWebFormatError('text body is truncated base64');
  return Buffer.concat(chunks.map((c) => Buffer.from(c, 'base64')));
}

/**
 * A gRPC-web response body: a data frame with `message` (only when `status` is 0) and a
 * trailer frame (flag 0x80) `grpc-status:<n>\r\n` plus `grpc-message:<percent-encoded>\r\n`
 * when a message is given. `text` returns the base64 form for `application/grpc-web-text`.
 */
export function encodeGrpcWebResponse(message: Uint8Array | undefined, status: number, statusMessage = '', text = false): Buffer {
  let trailer = `grpc-status:${status}\r\n`;
  if (statusMessage) trailer += `grpc-message:${encodeURIComponent(statusMessage)}\r\n`;
  const parts: Buffer[] = [];
  if (message && status === 0) parts.push(frameMessages([message]));
  parts.push(frameMessages([Buffer.from(trailer, 'latin1')], TRAILER_FLAG));
  const body = Buffer.concat(parts);
  return text ? Buffer.from(body.toString('base64'), 'latin1') : body;
}
