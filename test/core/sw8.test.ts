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
const fields: fc.Arbitrary<Sw8> = fc.record({
  sampled: fc.boolean(),
  traceId: nonEmpty,
  parentSegmentId: nonEmpty,
  parentSpanId: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  parentService: nonEmpty,
  parentServiceInstance: nonEmpty,
  parentEndpoint: nonEmpty,
  addressUsedAtClient: nonEmpty,
});

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
    // Whitespace (which atob skips) included, and a BOM kept as text as Java keeps it.
    for (const bad of ['', 'YQ', 'YQ=', 'Y===', 'YR==', 'a-b_', 'YQ==YQ==', '////\u00ff', '/w==', 'YW Jj', ' YWJ', 'YWJj\n', 'YW\tJ', 'YWJ=j', 'YQ==\n   '])
      expect(decodeBase64(bad), JSON.stringify(bad)).toBeUndefined();
    expect(decodeBase64(b64('\ufeffA'))).toBe('\ufeffA');
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
  it('never throws on arbitrary input, and what it accepts re-encodes to exactly that input', () => {
    // A strict decoder accepts one spelling per value: canonical Base64, canonical decimal.
    const fieldChars = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ 01'.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: fieldChars, maxLength: 80 }), fc.anything()), (v) => {
        const r = decodeSw8(v);
        if (r !== undefined) expect(encodeSw8(r)).toBe((v as string).trim());
      }),
      { numRuns: 3000 },
    );
    // The property above is not vacuous: valid headers, padded with whitespace, pass it.
    fc.assert(
      fc.property(fields, fc.constantFrom('', ' ', '\t'), (f, pad) => {
        const v = pad + encodeSw8(f)! + pad;
        expect(encodeSw8(decodeSw8(v)!)).toBe(v.trim());
      }),
    );
  });

  it('rejects every near-valid corruption of a valid header', () => {
    const strings = [1, 2, 4, 5, 6, 7];
    const corrupt: Record<string, (parts: string[], at: number, seed: number) => void> = {
      flag: (p, _at, seed) => void (p[0] = ['2', '', '10', 'x', 'true', '1 '][seed % 6]!),
      'drop a field': (p, at) => void p.splice(at % 8, 1),
      'add a field': (p, at) => void p.splice(at % 9, 0, p[at % 8]!),
      'span id': (p, _at, seed) => void (p[3] = ['0' + p[3], '+' + p[3], p[3] + 'x', '2147483648', '', ' ' + p[3], '1e3', '٣'][seed % 8]!),
      'append to a field': (p, at, seed) => void (p[strings[at % 6]!]! += 'A=='.slice(0, (seed % 3) + 1)),
      'bad character': (p, at, seed) => {
        const i = strings[at % 6]!;
        const pos = seed % p[i]!.length;
        p[i] = p[i]!.slice(0, pos) + '!_.* \n'[seed % 6] + p[i]!.slice(pos + 1);
      },
      'pad bits or padding': (p, at, seed) => {
        const i = strings[at % 6]!;
        const v = p[i]!;
        const pads = v.endsWith('==') ? 2 : v.endsWith('=') ? 1 : 0;
        if (pads === 0) p[i] = v + '=';
        else if (seed % 2) p[i] = v.slice(0, -1); // drop one '='
        else p[i] = v.slice(0, v.length - pads - 1) + (pads === 2 ? 'B' : 'Z') + v.slice(v.length - pads); // non-zero pad bits
      },
      'empty field': (p, at) => void (p[strings[at % 6]!] = ''),
      'invalid UTF-8': (p, at, seed) => void (p[strings[at % 6]!] = Buffer.from([[0xff], [0xc3], [0xed, 0xa0, 0x80], [0x41, 0x80]][seed % 4]!).toString('base64')),
      'id over 150 characters': (p, at) => void (p[1 + (at % 2)] = b64('i'.repeat(151 + (at % 50)))),
      '2 KB or more': (p) => void (p[6] = b64('e'.repeat(1600))),
    };
    fc.assert(
      fc.property(fields, fc.constantFrom(...Object.keys(corrupt)), fc.nat(), fc.nat(), (f, kind, at, seed) => {
        const parts = encodeSw8(f)!.split('-');
        corrupt[kind]!(parts, at, seed);
        const v = parts.join('-');
        expect(decodeSw8(v), `${kind}: ${v}`).toBeUndefined();
      }),
      { numRuns: 3000 },
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
