import { describe, expect, it } from 'vitest';
import type { SegmentObject } from '../../src/core/index.js';
import { bodyFits, checkInstanceLimits, checkReportLimits, clipText, DEFAULT_MAX_BODY_BYTES, DEFAULT_REPORT_LIMITS, saneSpanTimes, validateSegment } from '../../src/server/index.js';
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

describe('receipt limits', () => {
  // The downstream segment: its entry span carries a CrossProcess ref.
  const seg = () => clone(makeTrace('lim')).find((s) => s.spans[0]!.refs.length)!;
  it('names the segment, span and field over a count or length limit', () => {
    const s = seg();
    expect(checkReportLimits([s])).toBeUndefined();
    const ref = s.spans[0]!.refs[0]!;
    s.spans[0]!.refs = Array.from({ length: 33 }, () => ({ ...ref }));
    expect(checkReportLimits([s])).toBe('segment 0 span 0 has 33 refs, over the limit of 32');
    expect(checkReportLimits([s], { maxRefsPerSpan: 33 })).toBeUndefined();
    const cases: Array<[(x: ReturnType<typeof seg>) => void, RegExp]> = [
      [(x) => (x.spans[0]!.operationName = 'o'.repeat(4097)), /span 0 operationName has 4097 characters, over the limit of 4096/],
      [(x) => (x.spans[0]!.peer = 'p'.repeat(4097)), /span 0 peer has 4097/],
      [(x) => (x.service = 's'.repeat(4097)), /service has 4097/],
      [(x) => (x.traceId = 't'.repeat(4097)), /traceId has 4097/],
      [(x) => (x.spans[0]!.refs[0]!.parentEndpoint = 'e'.repeat(4097)), /span 0 refs\[0\]\.parentEndpoint has 4097/],
      [(x) => x.spans[0]!.tags.push({ key: 'k'.repeat(4097), value: '' }), /tags\[\d+\]\.key has 4097/],
      [(x) => x.spans[0]!.tags.push({ key: 'k', value: 'v'.repeat(65_537) }), /tags\[\d+\]\.value has 65537 characters, over the limit of 65536/],
      [(x) => (x.spans[0]!.tags = Array.from({ length: 1001 }, () => ({ key: 'k', value: 'v' }))), /has 1001 tags, over the limit of 1000/],
      [(x) => (x.spans[0]!.logs = Array.from({ length: 1001 }, () => ({ time: 1, data: [] }))), /has 1001 logs, over the limit of 1000/],
      [(x) => (x.spans[0]!.logs = [{ time: 1, data: Array.from({ length: 101 }, () => ({ key: 'k', value: 'v' })) }]), /logs\[0\] has 101 fields, over the limit of 100/],
      [(x) => (x.spans[0]!.logs = [{ time: 1, data: [{ key: 'stack', value: 'x'.repeat(65_537) }] }]), /logs\[0\]\.data\[0\]\.value has 65537/],
    ];
    for (const [spoil, why] of cases) {
      const x = seg();
      spoil(x);
      expect(checkReportLimits([seg(), x]), String(why)).toMatch(new RegExp('^segment 1 .*' + why.source));
    }
    expect(DEFAULT_REPORT_LIMITS.maxRefsPerSpan).toBe(32);
  });

  it('checks instance reports: names, property count, key and value lengths', () => {
    const ok = { service: 's', serviceInstance: 'i', properties: [{ key: '__proto__', value: 'v' }] };
    expect(checkInstanceLimits(ok)).toBeUndefined();
    expect(checkInstanceLimits({ ...ok, service: 's'.repeat(4097) })).toMatch(/^service has 4097 characters/);
    expect(checkInstanceLimits({ ...ok, properties: Array.from({ length: 257 }, () => ({ key: 'k', value: '' })) })).toBe('257 properties, over the limit of 256');
    expect(checkInstanceLimits({ ...ok, properties: [{ key: 'k', value: 'v'.repeat(65_537) }] })).toMatch(/^properties\[0\]\.value has 65537/);
  });

  it('quotes names cut, and bounds the problems of one segment', () => {
    expect(clipText('abc')).toBe('abc');
    expect(clipText('x'.repeat(125))).toBe('x'.repeat(120) + '… (+5 characters)');
    const s = seg();
    s.spans[0]!.operationName = 'n'.repeat(4000);
    s.spans[0]!.refs = Array.from({ length: 30 }, () => ({ ...s.spans[0]!.refs[0]!, parentService: '', traceId: 'other' }));
    const all = validateSegment(s);
    expect(all.length).toBeGreaterThan(40);
    for (const p of all) expect(p.length).toBeLessThan(300);
    const some = validateSegment(s, Date.now(), 10);
    expect(some).toHaveLength(11);
    expect(some.slice(0, 10)).toEqual(all.slice(0, 10));
    expect(some[10]).toBe(`+${all.length - 10} more problems`);
  });
});
