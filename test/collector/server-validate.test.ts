import { describe, expect, it } from 'vitest';
import type { SegmentObject } from '../../src/core/index.js';
import { bodyFits, checkReportLimits, DEFAULT_MAX_BODY_BYTES, saneSpanTimes, validateSegment } from '../../src/server/index.js';
import { clone, makeTrace } from './fixtures.js';

const problems = (seg: SegmentObject) => validateSegment(seg).join('\n');
const upstream = () => clone(makeTrace('v')[1]!); // reported first: the caller ends last
const downstream = () => clone(makeTrace('v')[0]!);

describe('validateSegment', () => {
  it('finds nothing wrong with segments from core', () => {
    for (const s of makeTrace('clean')) expect(validateSegment(s)).toEqual([]);
  });

  it('checks the segment identity fields', () => {
    const s = upstream();
    s.traceId = '';
    s.service = '';
    s.serviceInstance = 'x'.repeat(71);
    s.traceSegmentId = 'y'.repeat(151);
    const p = problems(s);
    expect(p).toMatch(/empty traceId/);
    expect(p).toMatch(/empty service/);
    expect(p).toMatch(/serviceInstance longer than 70/);
    expect(p).toMatch(/longer than 150/);
    expect(problems({ ...upstream(), spans: [] })).toMatch(/no spans/);
  });

  it('wants one root at span 0 and parents that exist, ids unique and contiguous', () => {
    const s = upstream();
    expect(s.spans.map((x) => x.spanId)).toEqual([0, 1]);
    s.spans[0]!.parentSpanId = 0;
    expect(problems(s)).toMatch(/first span must have parentSpanId -1/);
    const two = upstream();
    two.spans[1]!.parentSpanId = -1;
    expect(problems(two)).toMatch(/second root span/);
    const orphan = upstream();
    orphan.spans[1]!.parentSpanId = 5;
    expect(problems(orphan)).toMatch(/parent span 5 does not exist/);
    const dup = upstream();
    dup.spans[1]!.spanId = 0;
    expect(problems(dup)).toMatch(/duplicate spanId 0/);
    const gap = upstream();
    gap.spans[1]!.spanId = 2;
    expect(problems(gap)).toMatch(/must run 0, 1, 2/);
  });

  it('wants a peer on exit spans and sane times', () => {
    const s = upstream();
    const exit = s.spans.find((x) => x.spanType === 'Exit')!;
    exit.peer = '';
    expect(problems(s)).toMatch(/exit span without peer/);
    const t = upstream();
    t.spans[0]!.endTime = t.spans[0]!.startTime - 1;
    expect(problems(t)).toMatch(/ends before it starts/);
    const z = upstream();
    z.spans[0]!.startTime = 0;
    expect(problems(z)).toMatch(/missing start or end time/);
    const secs = upstream();
    secs.spans[0]!.startTime = Math.floor(secs.spans[0]!.startTime / 1000);
    expect(problems(secs)).toMatch(/not epoch milliseconds/);
    const future = upstream();
    const now = Date.now();
    expect(validateSegment(future, now - 2 * 86_400_000).join()).toMatch(/more than a day in the future/);
    expect(validateSegment(future, now)).toEqual([]);
  });

  it('wants CrossProcess refs with all 8 fields', () => {
    const s = downstream();
    expect(s.spans[0]!.refs).toHaveLength(1);
    for (const k of ['traceId', 'parentTraceSegmentId', 'parentService', 'parentServiceInstance', 'parentEndpoint', 'networkAddressUsedAtPeer'] as const) {
      const c = downstream();
      c.spans[0]!.refs[0]![k] = '';
      expect(problems(c), k).toMatch(new RegExp(`CrossProcess ref with empty ${k}`));
    }
    const neg = downstream();
    neg.spans[0]!.refs[0]!.parentSpanId = -1;
    expect(problems(neg)).toMatch(/negative parentSpanId/);
    const other = downstream();
    other.spans[0]!.refs[0]!.traceId = 'another';
    expect(problems(other)).toMatch(/ref traceId another differs/);
    // A CrossThread ref has no network address.
    const thread = downstream();
    thread.spans[0]!.refs[0]!.refType = 'CrossThread';
    thread.spans[0]!.refs[0]!.networkAddressUsedAtPeer = '';
    thread.spans[0]!.refs[0]!.parentService = thread.service;
    expect(validateSegment(thread)).toEqual([]);
  });
});

describe('saneSpanTimes', () => {
  it('accepts epoch ms after 2000 that end after they start and not days ahead', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(saneSpanTimes({ startTime: now - 10, endTime: now }, now)).toBe(true);
    expect(saneSpanTimes({ startTime: now, endTime: now }, now)).toBe(true);
    expect(saneSpanTimes({ startTime: Date.UTC(2000, 0, 1), endTime: Date.UTC(2000, 0, 1) + 1 }, now)).toBe(true);
    expect(saneSpanTimes({ startTime: Date.UTC(1999, 11, 31), endTime: now }, now)).toBe(false);
    expect(saneSpanTimes({ startTime: 12345, endTime: 12400 }, now)).toBe(false);
    expect(saneSpanTimes({ startTime: now, endTime: now - 1 }, now)).toBe(false);
    expect(saneSpanTimes({ startTime: now, endTime: now + 2 * 86_400_000 }, now)).toBe(false);
  });
});

describe('limits', () => {
  it('checks counts and body sizes', () => {
    const segs = makeTrace('lim');
    expect(checkReportLimits(segs)).toBeUndefined();
    expect(checkReportLimits(segs, { maxSegmentsPerRequest: 1 })).toMatch(/2 segments in one request, over the limit of 1/);
    expect(checkReportLimits(segs, { maxSpansPerSegment: 1 })).toMatch(/has 2 spans, over the limit of 1/);
    expect(DEFAULT_MAX_BODY_BYTES).toBe(4 * 1024 * 1024);
    expect(bodyFits(DEFAULT_MAX_BODY_BYTES)).toBe(true);
    expect(bodyFits(DEFAULT_MAX_BODY_BYTES + 1)).toBe(false);
    expect(bodyFits(Number.NaN)).toBe(false);
  });
});
