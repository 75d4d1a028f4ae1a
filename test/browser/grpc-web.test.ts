// gRPC-web framing: the request frame and where the status is read from (protocol.md §4).
import { describe, expect, it } from 'vitest';
import { grpcStatus } from '../../src/browser/grpc-web.js';
import { collectionFrame } from '../../src/browser/pb.js';

const enc = (s: string) => new TextEncoder().encode(s);
function rawFrame(flag: number, payload: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(5 + payload.length);
  out[0] = flag;
  new DataView(out.buffer).setUint32(1, payload.length);
  out.set(payload, 5);
  return out;
}
const concat = (...parts: Uint8Array[]): Uint8Array<ArrayBuffer> => Uint8Array.from(parts.flatMap((p) => [...p]));

describe('gRPC-web frames', () => {
  it('writes one uncompressed data frame with a big-endian length, holding a SegmentCollection', () => {
    const seg = new Uint8Array(300).fill(7);
    const f = collectionFrame([seg, new Uint8Array([1])]);
    // 300 + field tag + 2-byte length, then 1 + tag + length: 306 = 0x132.
    expect([...f.subarray(0, 8)]).toEqual([0, 0, 0, 1, 0x32, 10, 0xac, 2]);
    expect(f.subarray(8, 308)).toEqual(seg);
    expect([...f.subarray(308)]).toEqual([10, 1, 1]);
  });

  it('reads grpc-status from the trailer frame after data frames, whatever the header says', () => {
    const body = concat(rawFrame(0, enc('grpc-status: 9\r\n')), rawFrame(0x80, enc('grpc-message: a%20b\r\nGrpc-Status: 14\r\nx-custom: 1\r\n')));
    expect(grpcStatus(body.buffer, '0')).toBe(14);
    expect(grpcStatus(rawFrame(0x80, enc('grpc-status:0\r\n')).buffer, null)).toBe(0);
  });

  it('ignores status text inside data frames and falls back to the headers (trailers-only answers)', () => {
    expect(grpcStatus(rawFrame(0, enc('grpc-status: 0\r\n')).buffer, '7')).toBe(7);
    expect(grpcStatus(new ArrayBuffer(0), '16')).toBe(16);
    // No status anywhere: UNKNOWN.
    expect(grpcStatus(new ArrayBuffer(0), null)).toBe(2);
  });

  it('survives truncated and garbage bodies', () => {
    expect(grpcStatus(new Uint8Array([0x80, 0, 0, 0, 99, 1, 2]).buffer, null)).toBe(2);
    expect(grpcStatus(new Uint8Array([1, 2, 3]).buffer, '14')).toBe(14);
  });
});
