import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64, decodeCorrelation, decodeSw8, decodeSw8x, encodeBase64, encodeCorrelation, encodeSw8, encodeSw8x } from '../../src/core/index.js';
import type { Sw8 } from '../../src/core/index.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const valid: Sw8 = {
  sampled: true,
  traceId: 'trace-1',
  parentSegmentId: 'seg-1',
  parentSpanId: 3,
  parentService: 'svc',
  parentServiceInstance: 'inst',
  parentEndpoint: 'GET:/x',
  addressUsedAtClient: 'host:80',
};
const nonEmpty = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });

describe('base64', () => {
  it('matches Buffer for any text, both ways', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (s) => {
        expect(encodeBase64(s)).toBe(b64(s));
        if (s) expect(decodeBase64(b64(s))).toBe(s);
      }),
    );
  });
  it('rejects what a strict decoder rejects', () => {
    for (const bad of ['', 'YQ', 'YQ=', 'Y===', 'YR==', 'a-b_', 'YQ==YQ==', '////\u00ff', '/w==']) expect(decodeBase64(bad), bad).toBeUndefined();
  });
});

describe('sw8', () => {
  it('encodes exactly 8 fields: plain flag and span id, standard padded base64 strings', () => {
    expect(encodeSw8(valid)).toBe(['1', b64('trace-1'), b64('seg-1'), '3', b64('svc'), b64('inst'), b64('GET:/x'), b64('host:80')].join('-'));
    expect(encodeSw8({ ...valid, sampled: false })!.startsWith('0-')).toBe(true);
  });
  it('round-trips arbitrary non-empty unicode fields', () => {
    fc.assert(
      fc.property(fc.boolean(), nonEmpty, nonEmpty, fc.integer({ min: 0, max: 2 ** 31 - 1 }), nonEmpty, nonEmpty, nonEmpty, nonEmpty, (sampled, a, b, id, c, d, e, f) => {
        const fields = { sampled, traceId: a, parentSegmentId: b, parentSpanId: id, parentService: c, parentServiceInstance: d, parentEndpoint: e, addressUsedAtClient: f };
        expect(decodeSw8(encodeSw8(fields))).toEqual(fields);
      }),
    );
  });
  it('never throws on arbitrary input and never accepts junk', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.anything()), (v) => {
        const r = decodeSw8(v);
        if (r) expect(encodeSw8(r)).toBeDefined();
      }),
      { numRuns: 2000 },
    );
  });
  it('refuses to encode empty fields, bad span ids and values of 2 KB or more', () => {
    for (const k of ['traceId', 'parentSegmentId', 'parentService', 'parentServiceInstance', 'parentEndpoint', 'addressUsedAtClient'] as const)
      expect(encodeSw8({ ...valid, [k]: '' }), k).toBeUndefined();
    for (const id of [-1, 1.5, NaN, 2 ** 31]) expect(encodeSw8({ ...valid, parentSpanId: id })).toBeUndefined();
    expect(encodeSw8({ ...valid, parentEndpoint: 'x'.repeat(1500) })).toBeUndefined();
  });
  it('rejects every malformed case of the protocol doc', () => {
    const good = encodeSw8(valid)!;
    const parts = good.split('-');
    const swap = (i: number, v: string) => parts.map((p, j) => (j === i ? v : p)).join('-');
    const cases = [
      parts.slice(0, 7).join('-'), // 7 fields
      good + '-' + b64('x'), // 9 fields
      swap(0, '2'),
      swap(0, ''),
      swap(1, 'not base64!'),
      swap(1, b64('???').replace('/', '_')), // URL-safe alphabet
      swap(4, b64('sv').replace(/=+$/, '')), // missing padding
      swap(1, 'YR=='), // non-zero pad bits
      swap(3, 'x'),
      swap(3, '-1'),
      swap(3, '3x'),
      swap(3, '99999999999'),
      swap(3, '01'),
      swap(5, ''),
      swap(6, Buffer.from([0xff, 0xfe]).toString('base64')), // invalid UTF-8
      'x'.repeat(2048),
    ];
    for (const c of cases) expect(decodeSw8(c), c).toBeUndefined();
    expect(decodeSw8(good)).toEqual(valid);
  });
});

describe('sw8-correlation and sw8-x', () => {
  it('keeps at most 3 keys of at most 128 characters and sends nothing when empty', () => {
    expect(encodeCorrelation({})).toBeUndefined();
    const enc = encodeCorrelation({ a: '1', b: 'x'.repeat(129), c: '3', d: '4', e: '5' })!;
    expect(decodeCorrelation(enc)).toEqual(new Map([['a', '1'], ['c', '3'], ['d', '4']]));
    expect(decodeCorrelation('junk,' + b64('k') + ':' + b64('v') + ',a:b:c')).toEqual(new Map([['k', 'v']]));
    fc.assert(fc.property(fc.anything(), (v) => void decodeCorrelation(v)));
  });
  it('reads tracing mode and send time, ignoring a bad time', () => {
    expect(decodeSw8x('1-1700000000000')).toEqual({ skipAnalysis: true, sendTime: 1700000000000 });
    expect(decodeSw8x('0- ')).toEqual({ skipAnalysis: false });
    expect(decodeSw8x('1-abc')).toEqual({ skipAnalysis: true });
    expect(encodeSw8x({ skipAnalysis: true, sendTime: 5 })).toBe('1-5');
    fc.assert(fc.property(fc.anything(), (v) => void decodeSw8x(v)));
  });
});
