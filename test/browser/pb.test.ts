// The browser's table-driven segment encoder writes exactly the core codec's bytes for the
// segments a page makes (Exit and Local spans, no references).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeSegment, encodeSegmentCollection } from '../../src/core/index.js';
import type { SegmentObject } from '../../src/core/index.js';
import { collectionFrame, encodePb } from '../../src/browser/pb.js';
import { segmentArbitrary } from '../helpers/arbitraries.js';

const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 200 }), fc.constant(''));
const int32 = fc.oneof(fc.integer({ min: -1, max: 300 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
const time = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2 ** 45 }));
// Page-shaped: a page receives no requests, so its spans never have references (the
// browser encoder leaves the refs table out), and they are Exit or Local spans.
const segment = segmentArbitrary({
  text,
  int32,
  time,
  operationName: text,
  componentId: int32,
  spanTypes: ['Exit', 'Local'],
  refs: fc.constant([]),
  maxTags: 3,
});

describe('browser protobuf encoder', () => {
  it('encodes any segment byte for byte as the core codec does', () => {
    fc.assert(
      fc.property(segment, (s) => {
        expect([...encodePb(s)]).toEqual([...encodeSegment(s)]);
      }),
      { numRuns: 300 },
    );
  });

  it('writes long values (multi-byte lengths) and big messages the same way', () => {
    const long = 'é'.repeat(5000);
    const s = { traceId: 't', traceSegmentId: 's', service: 'web', serviceInstance: '1', isSizeLimited: false, spans: [] } as unknown as SegmentObject;
    s.spans = Array.from({ length: 50 }, (_, i) => ({ spanId: i, parentSpanId: i - 1, startTime: 1.7e12, endTime: 1.7e12 + i, refs: [], operationName: long, peer: 'p:1', spanType: 'Exit', spanLayer: 'Http', componentId: 10001, isError: true, tags: [{ key: 'k', value: long }], logs: [], skipAnalysis: false }));
    expect([...encodePb(s)]).toEqual([...encodeSegment(s)]);
  });

  it('frames a SegmentCollection of encoded segments as the core collection encoder does', () => {
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 3 }), (list) => {
        const frame = collectionFrame(list.map(encodePb));
        const message = encodeSegmentCollection(list.map(encodeSegment));
        expect(new DataView(frame.buffer).getUint32(1)).toBe(message.length);
        expect([...frame.subarray(5)]).toEqual([...message]);
        expect(frame[0]).toBe(0);
      }),
      { numRuns: 100 },
    );
  });
});
