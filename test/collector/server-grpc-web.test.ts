import { describe, expect, it } from 'vitest';
import { encodeGrpcWebResponse, GrpcWebFormatError, parseGrpcWebFrames } from '../../src/server/index.js';

const frame = (flag: number, payload: number[]) => Buffer.from([flag, 0, 0, 0, payload.length, ...payload]);

describe('parseGrpcWebFrames', () => {
  it('splits data frames and the trailer, binary and text', () => {
    const body = Buffer.concat([frame(0, [1, 2]), frame(0, [3]), frame(0x80, [...Buffer.from('grpc-status:0\r\n')])]);
    const bin = parseGrpcWebFrames(body, { text: false });
    expect(bin.messages.map((m) => [...m])).toEqual([[1, 2], [3]]);
    expect(bin.trailer).toBe('grpc-status:0\r\n');
    const text = parseGrpcWebFrames(Buffer.from(body.toString('base64')), { text: true });
    expect(text.messages.map((m) => [...m])).toEqual([[1, 2], [3]]);
    expect(parseGrpcWebFrames(body, false).trailer).toBe(bin.trailer);
  });

  it('accepts text bodies sent as several padded base64 chunks', () => {
    const a = frame(0, [1, 2]).toString('base64');
    const b = frame(0, [3]).toString('base64');
    expect(a.endsWith('==')).toBe(true);
    const got = parseGrpcWebFrames(Buffer.from(a + b), { text: true });
    expect(got.messages.map((m) => [...m])).toEqual([[1, 2], [3]]);
  });

  it('takes an empty body as no frames and an empty message frame as one', () => {
    expect(parseGrpcWebFrames(new Uint8Array(0), { text: false }).messages).toEqual([]);
    expect(parseGrpcWebFrames(frame(0, []), { text: false }).messages).toHaveLength(1);
  });

  it('rejects truncated, compressed and non-base64 bodies', () => {
    const ok = frame(0, [1, 2, 3]);
    for (let cut = 1; cut < ok.length; cut++)
      expect(() => parseGrpcWebFrames(ok.subarray(0, cut), { text: false }), `cut at ${cut}`).toThrow(GrpcWebFormatError);
    expect(() => parseGrpcWebFrames(ok.subarray(0, 3), { text: false })).toThrow(/truncated frame header/);
    expect(() => parseGrpcWebFrames(frame(1, [1]), { text: false })).toThrow(/compressed/);
    expect(() => parseGrpcWebFrames(Buffer.from('AAAA*AAA'), { text: true })).toThrow(/not base64/);
    expect(() => parseGrpcWebFrames(Buffer.from('AAAAA'), { text: true })).toThrow(/base64/);
  });
});

describe('encodeGrpcWebResponse', () => {
  it('writes a data frame then a 0x80 trailer frame', () => {
    const res = encodeGrpcWebResponse(new Uint8Array([9, 8]), 0);
    expect([...res.subarray(0, 7)]).toEqual([0, 0, 0, 0, 2, 9, 8]);
    expect(res[7]).toBe(0x80);
    expect(res.readUInt32BE(8)).toBe('grpc-status:0\r\n'.length);
    expect(res.subarray(12).toString()).toBe('grpc-status:0\r\n');
  });

  it('omits the message on error and percent-encodes the status message', () => {
    const res = encodeGrpcWebResponse(new Uint8Array([1]), 3, 'bad: ünïcode\r\nline');
    const f = parseGrpcWebFrames(res, { text: false });
    expect(f.messages).toEqual([]);
    expect(f.trailer).toBe(`grpc-status:3\r\ngrpc-message:${encodeURIComponent('bad: ünïcode\r\nline')}\r\n`);
  });

  it('has a base64 text variant that parses back', () => {
    const res = encodeGrpcWebResponse(new Uint8Array([7]), 0, '', true);
    expect(res.toString()).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const f = parseGrpcWebFrames(res, { text: true });
    expect(f.messages.map((m) => [...m])).toEqual([[7]]);
    expect(f.trailer).toBe('grpc-status:0\r\n');
  });
});
