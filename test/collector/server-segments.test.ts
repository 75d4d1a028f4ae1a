import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseSegment, parseSegmentsJson, SegmentFormatError } from '../../src/server/index.js';
import { clone, makeTrace } from './fixtures.js';

describe('parseSegmentsJson', () => {
  it('takes core JSON unchanged, as an array or one object', () => {
    const segs = makeTrace('json');
    expect(parseSegmentsJson(JSON.stringify(segs))).toEqual(segs);
    expect(parseSegmentsJson(JSON.stringify(segs), 'array')).toEqual(segs);
    expect(parseSegmentsJson(JSON.stringify(segs[0]), 'object')).toEqual([segs[0]]);
    expect(parseSegmentsJson(JSON.stringify(segs[0]))).toEqual([segs[0]]);
  });

  it('accepts what OAP accepts: enum numbers, int64 strings, absent fields, unknown keys', () => {
    const seg = makeTrace('proto3')[1]!; // the caller: entry (Http layer) and exit
    seg.spans[0]!.spanLayer = 'Http';
    const json = clone(seg) as unknown as Record<string, any>;
    json.spans[0].spanType = 0;
    json.spans[0].spanLayer = 3;
    json.spans[0].startTime = String(json.spans[0].startTime);
    json.spans[0].endTime = String(json.spans[0].endTime);
    delete json.spans[0].skipAnalysis;
    delete json.spans[0].logs;
    delete json.isSizeLimited;
    json.spans[0].somethingNew = { nested: true };
    json.extra = 1;
    expect(parseSegmentsJson(JSON.stringify([json]))).toEqual([seg]);
    const down = clone(makeTrace('ref')[0]!) as unknown as Record<string, any>;
    down.spans[0].refs[0].refType = 0;
    down.spans[0].refs[0].parentSpanId = '1';
    expect(parseSegmentsJson(JSON.stringify(down))[0]!.spans[0]!.refs[0]).toMatchObject({ refType: 'CrossProcess', parentSpanId: 1 });
  });

  it('throws SegmentFormatError naming the bad field', () => {
    const bad = (text: string, shape?: 'array' | 'object', msg?: RegExp) => {
      expect(() => parseSegmentsJson(text, shape)).toThrow(SegmentFormatError);
      if (msg) expect(() => parseSegmentsJson(text, shape)).toThrow(msg);
    };
    bad('{not json', undefined, /invalid JSON/);
    bad('', undefined, /invalid JSON/);
    bad('{}', 'array', /JSON array/);
    bad('[]', 'object', /one JSON segment object/);
    bad('42', undefined, /must be an object/);
    bad('[null]', undefined, /segments\[0\]: must be an object/);
    bad(JSON.stringify([{ spans: [{ spanType: 'Sideways' }] }]), 'array', /segments\[0\]\.spans\[0\]\.spanType: must be one of Entry, Exit, Local/);
    bad(JSON.stringify({ spans: [{ startTime: 1.5 }] }), 'object', /startTime: must be an integer/);
    bad(JSON.stringify({ spans: [{ startTime: '12abc' }] }), 'object', /startTime/);
    bad(JSON.stringify({ spans: [{ spanType: 7 }] }), 'object', /spanType/);
    bad(JSON.stringify({ traceId: 5 }), 'object', /traceId: must be a string/);
    bad(JSON.stringify({ spans: {} }), 'object', /spans: must be an array/);
    bad(JSON.stringify({ spans: [{ tags: [{ key: 1 }] }] }), 'object', /tags\[0\]\.key/);
    bad(JSON.stringify({ isSizeLimited: 'yes' }), 'object', /isSizeLimited: must be a boolean/);
  });

  it('never throws anything but SegmentFormatError on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        try {
          parseSegmentsJson(JSON.stringify(v));
        } catch (err) {
          expect(err).toBeInstanceOf(SegmentFormatError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('normaliseSegment is idempotent', () => {
    for (const s of makeTrace('idem')) expect(normaliseSegment(normaliseSegment(s))).toEqual(s);
  });
});
