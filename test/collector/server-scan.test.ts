// The pre-decode scans agree with a full decode about counts: what they refuse is over a
// limit, what they pass is not, whatever the strings contain.
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decodeSegmentCollection, scanJson, scanSegmentsProto } from '../../src/server/index.js';

const limits = (topLevel: number, nested: number, depth = 32) => ({ topLevel, nested, depth, noun: 'items' });

/** The longest top-level and nested array of a value, and its depth, as a decoder sees them. */
function measure(v: unknown, level = 0): { top: number; nested: number; depth: number } {
  const out = { top: level === 0 && Array.isArray(v) ? v.length : 0, nested: level > 0 && Array.isArray(v) ? v.length : 0, depth: 0 };
  if (v === null || typeof v !== 'object') return out;
  out.depth = 1;
  for (const child of Array.isArray(v) ? v : Object.values(v)) {
    const m = measure(child, level + 1);
    out.nested = Math.max(out.nested, m.nested);
    out.depth = Math.max(out.depth, 1 + m.depth);
  }
  return out;
}

describe('scanJson', () => {
  it('ignores brackets, commas and escaped quotes inside strings', () => {
    const body = Buffer.from(JSON.stringify(['a,b', '[1,2,3]', 'say \\"x\\", [', { k: '],[,' }]));
    expect(scanJson(body, limits(4, 0))).toBeUndefined();
    expect(scanJson(body, limits(3, 0))).toMatchObject({ status: 413 });
  });

  it('counts nested arrays against the nested bound and stops at depth', () => {
    expect(scanJson(Buffer.from('[{"spans":[{},{},{}]}]'), limits(1, 3))).toBeUndefined();
    expect(scanJson(Buffer.from('[{"spans":[{},{},{},{}]}]'), limits(1, 3))).toMatchObject({ status: 413, message: /at least 4 elements/ });
    expect(scanJson(Buffer.from('[[[[1]]]]'), limits(9, 9, 3))).toMatchObject({ status: 400 });
    expect(scanJson(Buffer.from('[]'), limits(0, 0))).toBeUndefined();
    expect(scanJson(Buffer.from('[ 1 , -2.5e3 , true , null ]'), limits(4, 0))).toBeUndefined();
  });

  it('agrees with JSON.parse on any JSON value', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 5 }), (text) => {
        const m = measure(JSON.parse(text));
        const body = Buffer.from(text);
        expect(scanJson(body, limits(m.top, m.nested, Math.max(m.depth, 1)))).toBeUndefined();
        if (m.top > 0) expect(scanJson(body, limits(m.top - 1, m.nested, 32))).toMatchObject({ status: 413 });
        if (m.nested > 0) expect(scanJson(body, limits(m.top, m.nested - 1, 32))).toMatchObject({ status: 413 });
      }),
      { numRuns: 300 },
    );
  });
});

describe('scanSegmentsProto', () => {
  const W = protobuf.Writer;
  const span = (spanIdVarint: (w: protobuf.Writer) => protobuf.Writer, parent = -1) => spanIdVarint(W.create().uint32(8)).uint32(16).int32(parent).uint32(50).string('op').finish();
  const collection = (...spans: Uint8Array[]) => {
    const seg = W.create().uint32(10).string('t');
    for (const s of spans) seg.uint32(26).bytes(s);
    return W.create().uint32(10).bytes(seg.finish()).finish();
  };
  const big = { segments: 10, spans: 10, nested: 10 };

  it('passes int32 values, negative ones included, and refuses wider varints by name', () => {
    expect(scanSegmentsProto(collection(span((w) => w.int32(2 ** 31 - 1)), span((w) => w.int32(-(2 ** 31)))), big)).toBeUndefined();
    expect(scanSegmentsProto(collection(span((w) => w.uint64(2 ** 31))), big)).toMatchObject({ status: 400, message: /segments\[0\]\.spans\[0\]\.spanId/ });
    expect(scanSegmentsProto(collection(span((w) => w.int32(0)), span((w) => w.int64(-(2 ** 40)))), big)).toMatchObject({ message: /spans\[1\]\.spanId/ });
  });

  it('stops at the span limit', () => {
    const spans = Array.from({ length: 4 }, () => span((w) => w.int32(0)));
    expect(scanSegmentsProto(collection(...spans), { ...big, spans: 4 })).toBeUndefined();
    expect(scanSegmentsProto(collection(...spans), { ...big, spans: 3 })).toMatchObject({ status: 413 });
  });

  it('makes the decoder refuse what it would wrap', () => {
    expect(() => decodeSegmentCollection(collection(span((w) => w.uint64(4294967303))))).toThrow(/spanId/);
  });
});
