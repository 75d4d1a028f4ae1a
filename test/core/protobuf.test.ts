// The hand-written encoder against the official layout: protobufjs loading proto/ decodes
// our bytes to the same segment, and a wire walker checks every byte belongs to a field
// declared in proto/ with that field's wire type.
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { encodeSegment, encodeSegmentCollection } from '../../src/core/index.js';
import type { RefType, SegmentObject, SegmentReference, SpanLayer, SpanType } from '../../src/core/index.js';
import { segmentArbitrary, SPAN_LAYERS } from '../helpers/arbitraries.js';
import { decodeAs, protoRoot } from '../helpers/proto.js';

const SPAN_TYPES: SpanType[] = ['Entry', 'Exit', 'Local'];
const REF_TYPES: RefType[] = ['CrossProcess', 'CrossThread'];

// GenAI (7) is newer than the proto snapshot (protocol.md §2.4); protobufjs keeps an
// unknown enum number as the number, and the wire check below allows it explicitly.
const decodedLayer = (l: SpanLayer): string | number => (protoRoot.lookupEnum('skywalking.v3.SpanLayer').values[l] === undefined ? 7 : l);

const WIRE: Record<string, number> = { int32: 0, int64: 0, uint32: 0, uint64: 0, bool: 0, sint32: 0, sint64: 0, string: 2, bytes: 2 };

/**
 * Walks `bytes` as `type`, field by field: every key must name a field of the message
 * with its declared wire type, nested messages are walked too, and the reader must end
 * exactly at the last byte. Returns the number of fields seen.
 */
function walk(type: protobuf.Type, bytes: Uint8Array): number {
  const r = protobuf.Reader.create(bytes);
  let fields = 0;
  while (r.pos < r.len) {
    const key = r.uint32();
    const id = key >>> 3;
    const wire = key & 7;
    const field = type.fieldsById[id];
    if (!field) throw new Error(`${type.name}: unknown field ${id}`);
    field.resolve();
    fields++;
    if (field.resolvedType instanceof protobuf.Type) {
      if (wire !== 2) throw new Error(`${type.name}.${field.name}: wire type ${wire}, want 2`);
      fields += walk(field.resolvedType, r.bytes());
    } else if (field.resolvedType instanceof protobuf.Enum) {
      if (wire !== 0) throw new Error(`${type.name}.${field.name}: wire type ${wire}, want 0`);
      const n = r.int32();
      const known = Object.values(field.resolvedType.values).includes(n) || (field.type === 'SpanLayer' && n === 7);
      if (!known) throw new Error(`${type.name}.${field.name}: enum value ${n}`);
    } else {
      const want = WIRE[field.type];
      if (want === undefined || wire !== want) throw new Error(`${type.name}.${field.name} (${field.type}): wire type ${wire}`);
      if (wire === 0) r.uint64();
      else r.bytes();
    }
  }
  if (r.pos !== bytes.length) throw new Error(`${type.name}: ${bytes.length - r.pos} trailing bytes`);
  return fields;
}

const SegmentObjectType = protoRoot.lookupType('skywalking.v3.SegmentObject');
const SegmentCollectionType = protoRoot.lookupType('skywalking.v3.SegmentCollection');

/** The segment as protobufjs decodes it: enums by name, except a layer newer than the proto snapshot. */
function expected(seg: SegmentObject): unknown {
  return { ...seg, spans: seg.spans.map((s) => ({ ...s, spanLayer: decodedLayer(s.spanLayer) })) };
}

const ref = (refType: RefType, i: number): SegmentReference => ({
  refType,
  traceId: 'trace-ü-' + i,
  parentTraceSegmentId: 'parent-seg-' + i,
  parentSpanId: i,
  parentService: 'up',
  parentServiceInstance: 'up-1',
  parentEndpoint: 'GET:/älpha',
  networkAddressUsedAtPeer: refType === 'CrossProcess' ? 'svc:8080' : '',
});

function handMade(): SegmentObject {
  return {
    traceId: '4c1a043530d31d2742fc5c5b72bb5f60',
    traceSegmentId: 'seg-日本-🚀',
    service: 'orders',
    serviceInstance: 'orders-1',
    isSizeLimited: true,
    spans: SPAN_LAYERS.map((layer, i) => ({
      spanId: i,
      parentSpanId: i - 1, // -1 for the first: a negative int32 is 10 bytes on the wire
      startTime: 2 ** 52 + i, // beyond 32 bits
      endTime: 2 ** 53 - 1,
      refs: i === 0 ? [ref('CrossProcess', 3), ref('CrossThread', 0)] : i === 1 ? [ref('CrossThread', 7)] : [],
      operationName: 'op-' + 'é'.repeat(i * 25) + '𝄞',
      peer: i % 2 ? 'peer-' + i + ':443' : '',
      spanType: SPAN_TYPES[i % 3]!,
      spanLayer: layer,
      componentId: [0, 2, 49, 4002, 10001, 2 ** 31 - 1, 127, 128][i]!,
      isError: i % 2 === 0,
      tags: i === 2 ? [] : [{ key: 'k' + i, value: 'v'.repeat(i * 40) }, { key: 'ключ', value: '' }],
      logs: i === 3 ? [] : [{ time: 1_700_000_000_000 + i, data: [{ key: 'event', value: 'error' }, { key: 'stack', value: 'x'.repeat(200 * i) }] }],
      skipAnalysis: i === 4,
    })),
  };
}

const text = fc.string({ unit: 'grapheme', maxLength: 30 });
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const time = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const segRef: fc.Arbitrary<SegmentReference> = fc.record({
  refType: fc.constantFrom(...REF_TYPES),
  traceId: text,
  parentTraceSegmentId: text,
  parentSpanId: int32,
  parentService: text,
  parentServiceInstance: text,
  parentEndpoint: text,
  networkAddressUsedAtPeer: text,
});
const segment = segmentArbitrary({
  text,
  int32,
  time,
  operationName: fc.string({ unit: 'grapheme', maxLength: 200 }),
  componentId: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  spanTypes: SPAN_TYPES,
  refs: fc.array(segRef, { maxLength: 2 }),
  maxTags: 4,
});

describe('encodeSegment', () => {
  it('decodes with the official layout to the same segment, field by field', () => {
    const seg = handMade();
    const bytes = encodeSegment(seg);
    expect(decodeAs('SegmentObject', bytes)).toEqual(expected(seg));
    expect(walk(SegmentObjectType, bytes)).toBeGreaterThan(100);
  });

  it('writes what protobufjs writes, byte for byte', () => {
    const seg = handMade();
    const bytes = encodeSegment(seg);
    const msg = SegmentObjectType.decode(bytes);
    expect(Buffer.from(SegmentObjectType.encode(msg).finish()).equals(Buffer.from(bytes))).toBe(true);
  });

  it('round-trips arbitrary segments and leaves no unknown or mistyped byte', () => {
    fc.assert(
      fc.property(segment, (seg) => {
        const bytes = encodeSegment(seg);
        walk(SegmentObjectType, bytes);
        expect(decodeAs('SegmentObject', bytes)).toEqual(expected(seg));
      }),
      { numRuns: 300 },
    );
  });

  it('returns independent bytes: a later encoding never changes an earlier result', () => {
    const a = handMade();
    const first = encodeSegment(a);
    const copy = Uint8Array.from(first);
    for (let i = 0; i < 500; i++) encodeSegment({ ...a, traceId: 'other-' + i });
    expect(Buffer.from(first).equals(Buffer.from(copy))).toBe(true);
  });

  it('encodes a big segment (multi-byte lengths) exactly', () => {
    const seg = handMade();
    seg.spans[0]!.tags = Array.from({ length: 100 }, (_, i) => ({ key: 'k' + i, value: 'é'.repeat(1000) }));
    const bytes = encodeSegment(seg);
    expect(bytes.length).toBeGreaterThan(200_000);
    walk(SegmentObjectType, bytes);
    expect(decodeAs('SegmentObject', bytes)).toEqual(expected(seg));
  });
});

describe('encodeSegmentCollection', () => {
  it('accepts segments and already-encoded bytes alike', () => {
    const a = handMade();
    const b = { ...handMade(), traceSegmentId: 'b' };
    const bytes = encodeSegmentCollection([a, encodeSegment(b), a]);
    walk(SegmentCollectionType, bytes);
    expect(decodeAs('SegmentCollection', bytes)).toEqual({ segments: [expected(a), expected(b), expected(a)] });
    expect(encodeSegmentCollection([]).length).toBe(0);
  });
});
