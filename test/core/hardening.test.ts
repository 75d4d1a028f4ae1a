// What hostile or careless input does to the core: values String() cannot convert, times
// the wire cannot carry, spans changed after their segment was reported, snapshots that
// went through JSON (or are not snapshots), component ids beyond int32, OAP's length
// limits, encoded bytes that must stand alone, and transports and size functions that throw.
import querystring from 'node:querystring';
import { describe, expect, it } from 'vitest';
import {
  BatchReporter,
  decodeSw8,
  encodeSegment,
  encodeSegmentCollection,
  encodeSw8,
  Log,
  recordCarrier,
  Tag,
  Tracer,
  TransportError,
} from '../../src/core/index.js';
import { resolveLimits } from '../../src/core/limits.js';
import { ReportQueue } from '../../src/core/report-queue.js';
import type { BatchTransport, ContextSnapshot, SegmentObject, Span } from '../../src/core/index.js';
import { decodeAs } from '../helpers/proto.js';
import { captureDiag, fixture } from './fixture.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const tick = () => new Promise((r) => setTimeout(r, 0));
/** A value with no usable toString/valueOf, and one whose conversion throws. */
const nullProto = () => Object.create(null) as object;
const throwing = {
  toString(): string {
    throw new Error('no text');
  },
};

describe('values String() cannot convert', () => {
  it('records them as [object], skips log entries that are not pairs, and never throws', () => {
    const { tracer, reporter } = fixture();
    const ctx = tracer.createTracingContext();
    const s = ctx.createEntrySpan('a');
    const qs = querystring.parse('a=1&b=2'); // a null-prototype object
    expect(() => {
      s.tag('query', qs as never).tag('bad', throwing as never).tag(new Tag('t', nullProto() as never));
      s.log([null, 'x', 7, ['k', qs], ['n', 5], [nullProto(), 'v']] as never);
      s.log({ q: qs } as never);
      s.log(null as never).log(new Log(undefined as never));
      s.error(nullProto());
      s.error({ name: nullProto(), message: throwing });
    }).not.toThrow();
    s.end();
    const span = reporter.segments[0]!.spans[0]!;
    expect(span.tags).toEqual([
      { key: 'query', value: '[object]' },
      { key: 'bad', value: '[object]' },
      { key: 't', value: '[object]' },
    ]);
    const kv = (key: string, value: string) => ({ key, value });
    expect(span.logs.map((l) => l.data)).toEqual([
      [kv('k', '[object]'), kv('n', '5'), kv('[object]', 'v')],
      [kv('q', '[object]')],
      [],
      [],
      [kv('event', 'error'), kv('error.kind', 'object'), kv('message', '[object]')],
      [kv('event', 'error'), kv('error.kind', '[object]'), kv('message', '[object]')],
    ]);
    expect(span.isError).toBe(true);
  });

  it('takes a Tag and a Log built by the package\'s other copy (ESM vs CommonJS), by shape', () => {
    // Another copy's classes: the same shape, not the same constructors.
    class OtherTag {
      constructor(readonly key: string, readonly value: string) {}
    }
    class OtherLog {
      constructor(readonly fields: Array<[string, string]>, readonly time?: number) {}
    }
    const { tracer, reporter } = fixture();
    const s = tracer.createTracingContext().createEntrySpan('a');
    s.tag(new OtherTag('db.type', 'sql') as never).tag({ key: 'plain', value: 'object' } as never);
    s.log(new OtherLog([['event', 'query']], 1_700_000_000_123) as never);
    s.end();
    const span = reporter.segments[0]!.spans[0]!;
    expect(span.tags).toEqual([
      { key: 'db.type', value: 'sql' },
      { key: 'plain', value: 'object' },
    ]);
    expect(span.logs).toEqual([{ time: 1_700_000_000_123, data: [{ key: 'event', value: 'query' }] }]);
  });

  it('a Log never throws, whatever its fields', () => {
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('trap'); } });
    for (const fields of [null, undefined, 42, hostile]) expect(new Log(fields as never).fields).toEqual([]);
    expect(new Log([['a', 'b']], 5).fields).toEqual([['a', 'b']]);
  });
});

describe('times', () => {
  it('cuts fractions, and replaces NaN, negative and non-number end and log times by the clock, with one diagnostic', () => {
    const lines = captureDiag();
    const { tracer, reporter } = fixture();
    const ctx = tracer.createTracingContext();
    const a = ctx.createEntrySpan('a');
    const b = ctx.createLocalSpan('b');
    const c = ctx.createLocalSpan('c');
    b.log(new Log({ k: 'fraction' }, 1_700_000_000_000.9)).log(new Log({ k: 'nan' }, NaN)).log(new Log({ k: 'negative' }, -1));
    b.log(new Log({ k: 'text' }, '1700000000000' as never));
    b.end(1_700_000_000_500.5);
    c.end(NaN);
    a.end(-5);
    const seg = reporter.segments[0]!;
    const [sa, sb, sc] = seg.spans;
    expect(sb!.endTime).toBe(1_700_000_000_500);
    expect(sb!.logs[0]!.time).toBe(1_700_000_000_000);
    for (const l of sb!.logs.slice(1)) expect(l.time).toBeGreaterThan(sb!.startTime);
    expect(sc!.endTime).toBeGreaterThan(sc!.startTime);
    expect(sa!.endTime).toBeGreaterThan(sa!.startTime);
    // What OAP's JSON parser reads: whole numbers only, no nulls.
    const json = JSON.stringify(seg);
    expect(json).not.toMatch(/\d\.\d|null/);
    const times = seg.spans.flatMap((s) => [s.startTime, s.endTime, ...s.logs.map((l) => l.time)]);
    expect(times.every((t) => Number.isSafeInteger(t) && t > 0)).toBe(true);
    expect(decodeAs('SegmentObject', encodeSegment(seg))).toMatchObject({ spans: seg.spans.map((s) => ({ startTime: s.startTime, endTime: s.endTime, logs: s.logs })) });
    expect(lines.filter((l) => l.includes('not a finite number of epoch ms'))).toHaveLength(1);
  });

  it('uses whole clock times, and Date.now() when the clock gives no usable time or throws', () => {
    const lines = captureDiag();
    const fraction = new Tracer({ service: 's', serviceInstance: 'i', reporter: fixture().reporter, clock: { now: () => 1_700_000_000_000.7 } });
    const f = fraction.createTracingContext().createEntrySpan('a');
    f.end();
    expect([f.startTime, f.endTime]).toEqual([1_700_000_000_000, 1_700_000_000_000]);
    const clocks = [() => NaN, () => -1, () => Infinity, () => '5', () => undefined, () => { throw new Error('clock'); }];
    for (const now of clocks) {
      const { tracer, reporter } = fixture({ clock: { now: now as () => number } });
      const before = Date.now();
      const ctx = tracer.createTracingContext();
      expect(() => ctx.createEntrySpan('a').log({ k: 'v' }).end()).not.toThrow();
      const span = reporter.segments[0]!.spans[0]!;
      for (const t of [span.startTime, span.endTime, span.logs[0]!.time]) {
        expect(Number.isSafeInteger(t)).toBe(true);
        expect(t).toBeGreaterThanOrEqual(before);
        expect(t).toBeLessThanOrEqual(Date.now() + 1);
      }
    }
    expect(lines.filter((l) => l.includes('Date.now() used'))).toHaveLength(1);
  });

  it('the encoder writes the default for a time that is NaN or negative, never a 10-byte negative number', () => {
    const seg: SegmentObject = {
      traceId: 't',
      traceSegmentId: 's',
      service: 'svc',
      serviceInstance: 'i',
      isSizeLimited: false,
      spans: [{ spanId: 0, parentSpanId: -1, startTime: -5, endTime: NaN, refs: [], operationName: 'x', peer: '', spanType: 'Local', spanLayer: 'Unknown', componentId: 0, isError: false, tags: [], logs: [{ time: NaN, data: [] }], skipAnalysis: false }],
    };
    const decoded = decodeAs('SegmentObject', encodeSegment(seg)) as { spans: Array<{ startTime: number; endTime: number; logs: Array<{ time: number }> }> };
    expect(decoded.spans[0]).toMatchObject({ startTime: 0, endTime: 0, logs: [{ time: 0 }] });
  });
});

describe('spans after their segment was reported', () => {
  it('are frozen: every change is ignored, with one diagnostic; an ended span of an open segment still records', () => {
    const lines = captureDiag();
    const { tracer, reporter } = fixture();
    const ctx = tracer.createTracingContext();
    const entry = ctx.createEntrySpan('GET:/a');
    const child = ctx.createLocalSpan('child');
    child.end();
    child.tag('after-end', 'kept').log({ late: 'but in time' });
    entry.end();
    const reported = JSON.stringify(reporter.segments);
    for (const s of [entry, child]) {
      s.tag('k', 'v').tag(new Tag('k2', 'v')).log({ a: 'b' }).error(new Error('late')).setComponent(49).setLayer('Http').setOperationName('renamed');
      s.operationName = 'renamed again';
      s.peer = 'late:1';
    }
    expect(JSON.stringify(reporter.segments)).toBe(reported);
    expect(reporter.segments[0]!.spans[1]!.tags).toEqual([{ key: 'after-end', value: 'kept' }]);
    expect(reporter.segments[0]!.spans[1]!.logs).toHaveLength(1);
    expect([entry.operationName, entry.peer, entry.isError, entry.componentId, entry.layer]).toEqual(['GET:/a', '', false, 0, 'Unknown']);
    expect(lines.filter((l) => l.includes('after its segment was reported'))).toHaveLength(1);
  });
});

describe('span fields behind accessors', () => {
  it('endTime cannot be written; operationName and peer writes are checked like the setters', () => {
    const lines = captureDiag();
    const { tracer, reporter } = fixture({ limits: { maxOperationNameLength: 6 } });
    const ctx = tracer.createTracingContext();
    const e = ctx.createEntrySpan('entry');
    expect(() => ((e as { endTime: number }).endTime = 5)).not.toThrow();
    expect([e.endTime, e.ended]).toEqual([0, false]);
    expect(lines.filter((l) => l.includes('endTime is read-only'))).toHaveLength(1);
    e.operationName = 'GET:/users/:id';
    expect(e.operationName).toBe('GET:/u');
    e.operationName = '';
    e.operationName = 5 as never;
    expect(e.operationName).toBe('GET:/u');
    e.peer = '10.0.0.1:5000';
    e.peer = 7 as never;
    expect(e.peer).toBe('10.0.0.1:5000');
    // An exit span's peer is sw8 field 8: once sent, it stays.
    const h1: Record<string, string> = {};
    const x = ctx.createExitSpan('call', e, 'db:5432', recordCarrier(h1));
    x.peer = 'other:1';
    expect(x.peer).toBe('db:5432');
    const h2: Record<string, string> = {};
    const y = ctx.createExitSpan('later', e, 'a:1');
    y.peer = 'b:2'; // not sent yet: allowed
    ctx.inject(y, recordCarrier(h2));
    expect([y.peer, decodeSw8(h2.sw8)!.addressUsedAtClient]).toEqual(['b:2', 'b:2']);
    [x, y, e].forEach((s) => s.end());
    expect(reporter.segments).toHaveLength(1);
    expect(reporter.segments[0]!.spans.map((s) => [s.operationName, s.peer])).toEqual([['GET:/u', '10.0.0.1:5000'], ['call', 'db:5432'], ['later', 'b:2']]);
  });

  it('a rename through the setter still renames what the context sends as sw8 field 7', () => {
    const { tracer } = fixture();
    const ctx = tracer.createTracingContext();
    const e = ctx.createEntrySpan('GET:/users/42');
    e.operationName = 'GET:/users/:id';
    const h: Record<string, string> = {};
    ctx.createExitSpan('/db', e, 'db:1', recordCarrier(h));
    expect(decodeSw8(h.sw8)!.parentEndpoint).toBe('GET:/users/:id');
  });
});

describe('snapshots', () => {
  function source() {
    const { tracer, reporter } = fixture();
    const ctx = tracer.createTracingContext();
    const entry = ctx.createEntrySpan('GET:/job');
    ctx.setCorrelation('tenant', 'a');
    return { tracer, reporter, ctx, entry, snap: ctx.capture() };
  }

  it('continues one that went through JSON, and takes correlation as a plain object', () => {
    const { tracer, reporter, ctx, snap } = source();
    const viaJson = JSON.parse(JSON.stringify(snap)) as ContextSnapshot;
    expect(viaJson.correlation).toEqual({}); // what JSON makes of a Map
    const worker = tracer.createTracingContext();
    expect(() => worker.continued(viaJson)).not.toThrow();
    worker.createLocalSpan('work').end();
    const seg = reporter.segments[0]!;
    expect(seg.traceId).toBe(ctx.traceId);
    expect(seg.spans[0]!.refs).toEqual([
      { refType: 'CrossThread', traceId: ctx.traceId, parentTraceSegmentId: ctx.segmentId, parentSpanId: 0, parentService: 'svc', parentServiceInstance: 'inst', parentEndpoint: 'GET:/job', networkAddressUsedAtPeer: '' },
    ]);
    const own = tracer.createTracingContext();
    own.continued({ ...viaJson, correlation: { tenant: 'b', count: 5, '': 'x' } as never });
    expect([...own.correlation]).toEqual([['tenant', 'b']]);
  });

  it('ignores what is not a snapshot, with one diagnostic, and never throws', () => {
    const lines = captureDiag();
    const { tracer, reporter, snap } = source();
    const trap = new Proxy({}, { get: () => { throw new Error('trap'); } });
    const bad = [
      { ...snap, traceId: 't'.repeat(151) },
      { ...snap, segmentId: '' },
      { ...snap, spanId: 1.5 },
      { ...snap, spanId: 2 ** 31 },
      { ...snap, spanId: '0' },
      { ...snap, endpoint: 5 },
      'snapshot',
      trap,
    ];
    const ctx = tracer.createTracingContext();
    const own = ctx.traceId;
    for (const b of bad) expect(() => ctx.continued(b as never)).not.toThrow();
    ctx.createLocalSpan('x').end();
    expect(reporter.segments[0]!.spans[0]!.refs).toEqual([]);
    expect(reporter.segments[0]!.traceId).toBe(own);
    expect(lines.filter((l) => l.includes('not a snapshot'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('could not be read'))).toHaveLength(1);
    // A trace id of exactly 150 characters is fine.
    const ok = tracer.createTracingContext();
    ok.continued({ ...snap, traceId: 't'.repeat(150) });
    expect(ok.createLocalSpan('y').isRecording).toBe(true);
    expect(ok.traceId).toBe('t'.repeat(150));
  });

  it('a context with spans adopts the snapshot trace id until its own trace id left it', () => {
    const { tracer, reporter, ctx: a, snap } = source();
    const refTo = (seg: SegmentObject) => seg.spans[0]!.refs.map((r) => r.traceId);

    // Nothing sent yet: adopted, and what it sends from then on names that trace.
    const b = tracer.createTracingContext();
    const be = b.createEntrySpan('b');
    b.continued(snap);
    expect(b.traceId).toBe(a.traceId);
    const h: Record<string, string> = {};
    b.createExitSpan('/next', be, 'next:80', recordCarrier(h)).end();
    expect(decodeSw8(h.sw8)!.traceId).toBe(a.traceId);
    // ...and a second snapshot of another trace no longer moves it.
    const other = tracer.createTracingContext();
    other.createEntrySpan('o');
    b.continued(other.capture());
    expect(b.traceId).toBe(a.traceId);
    be.end();
    expect(reporter.segments[0]!.traceId).toBe(a.traceId);
    expect(refTo(reporter.segments[0]!)).toEqual([a.traceId, other.traceId]);

    // Its own trace id already went out (a header, a capture, an upstream sw8): kept.
    const kept = (setUp: (ctx: ReturnType<typeof tracer.createTracingContext>, entry: Span) => void, name: string, incoming: Record<string, string> = {}) => {
      const c = tracer.createTracingContext();
      const ce = c.createEntrySpan(name, null, recordCarrier(incoming));
      setUp(c, ce);
      const before = c.traceId;
      c.continued(snap);
      expect(c.traceId, name).toBe(before);
      ce.end();
      const seg = reporter.segments[reporter.segments.length - 1]!;
      expect(seg.traceId, name).toBe(before);
      expect(seg.spans[0]!.refs.some((r) => r.refType === 'CrossThread' && r.traceId === a.traceId), name).toBe(true);
      return before;
    };
    const injected = kept((c, ce) => void c.createExitSpan('x', ce, 'p:1', recordCarrier({})).end(), 'after-inject');
    expect(injected).not.toBe(a.traceId);
    kept((c) => void c.capture(), 'after-capture');
    const sw8 = encodeSw8({ sampled: true, traceId: 'upstream', parentSegmentId: 'up-seg', parentSpanId: 1, parentService: 'u', parentServiceInstance: 'u1', parentEndpoint: '/u', addressUsedAtClient: 'me:1' })!;
    expect(kept(() => {}, 'upstream', { sw8 })).toBe('upstream');
  });
});

describe('component ids', () => {
  it('setComponent takes integers from 0 to 2^31-1 only, with one diagnostic', () => {
    const lines = captureDiag();
    const { tracer, reporter } = fixture();
    const ctx = tracer.createTracingContext();
    const s = ctx.createEntrySpan('a');
    for (const bad of [2 ** 40, 2 ** 31, -1, 1.5, NaN, '49']) s.setComponent(bad as number);
    expect(s.componentId).toBe(0);
    s.setComponent(2 ** 31 - 1);
    expect(s.componentId).toBe(2 ** 31 - 1);
    s.end();
    expect(lines.filter((l) => l.includes('setComponent'))).toHaveLength(1);
    expect(decodeAs('SegmentObject', encodeSegment(reporter.segments[0]!))).toMatchObject({ spans: [{ componentId: 2 ** 31 - 1 }] });
  });

  it('the encoder turns any number in an int32 field into an int32, so protobuf decoders accept the bytes', () => {
    const { tracer, reporter } = fixture();
    const ctx = tracer.createTracingContext();
    const s = ctx.createEntrySpan('a');
    s.componentId = 2 ** 40; // a plain field, written past setComponent
    s.end();
    const seg = reporter.segments[0]!;
    seg.spans[0]!.parentSpanId = 2 ** 33 + 3;
    const decoded = decodeAs('SegmentObject', encodeSegment(seg)) as { spans: Array<{ componentId: number; parentSpanId: number }> };
    // ToInt32, as protobufjs writes them: 2^40 | 0 is 0, (2^33 + 3) | 0 is 3.
    expect(decoded.spans[0]).toMatchObject({ componentId: 0, parentSpanId: 3 });
  });
});

describe("OAP's length limits", () => {
  it('cuts operation names at 150 characters whatever the limits say', () => {
    expect(resolveLimits({ maxOperationNameLength: 1000 }).maxOperationNameLength).toBe(150);
    expect(resolveLimits({ maxOperationNameLength: 20 }).maxOperationNameLength).toBe(20);
    const { tracer, reporter } = fixture({ limits: { maxOperationNameLength: 1000 } });
    const s = tracer.createTracingContext().createEntrySpan('x'.repeat(300));
    s.setOperationName('y'.repeat(300));
    s.end();
    expect(reporter.segments[0]!.spans[0]!.operationName).toBe('y'.repeat(150));
  });

  it('decodeSw8 refuses trace and segment ids over 150 characters', () => {
    const at = (traceId: string, segmentId: string) => ['1', b64(traceId), b64(segmentId), '0', b64('a'), b64('b'), b64('e'), b64('h')].join('-');
    for (const id of ['t'.repeat(150), 'é'.repeat(150), '🚀'.repeat(75)]) {
      expect(decodeSw8(at(id, 's'))?.traceId).toBe(id);
      expect(decodeSw8(at('t', id))?.parentSegmentId).toBe(id);
    }
    for (const id of ['t'.repeat(151), 'é'.repeat(151), 'x'.repeat(1000)]) {
      expect(decodeSw8(at(id, 's'))).toBeUndefined();
      expect(decodeSw8(at('t', id))).toBeUndefined();
    }
  });
});

describe('encoded bytes', () => {
  it('encodeSegment and encodeSegmentCollection return standalone arrays: offset 0, exact length, own buffer', () => {
    const { tracer, reporter } = fixture();
    for (const name of ['a', 'b']) tracer.createTracingContext().createEntrySpan(name).tag('k', 'v').end();
    const [a, b] = reporter.segments as [SegmentObject, SegmentObject];
    const results = [encodeSegment(a), encodeSegment(b), encodeSegmentCollection([a, b]), encodeSegmentCollection([encodeSegment(a)])];
    for (const bytes of results) {
      expect(bytes.byteOffset).toBe(0);
      expect(bytes.buffer.byteLength).toBe(bytes.length);
    }
    expect(new Set(results.map((r) => r.buffer)).size).toBe(results.length);
    // What a user sending `.buffer` sends is the segment itself.
    expect(decodeAs('SegmentObject', new Uint8Array(results[0]!.buffer))).toMatchObject({ traceSegmentId: a.traceSegmentId, spans: [{ operationName: 'a' }] });
  });
});

describe('transports and size functions that misbehave', () => {
  const seg = (id: string): SegmentObject => ({ traceId: id, traceSegmentId: id, spans: [], service: 's', serviceInstance: 'i', isSizeLimited: false });

  it('drainFinal survives a transport that throws, returns no promise or rejects, and counts each batch', async () => {
    const modes = ['throw', 'no-promise', 'reject', 'ok'];
    let call = 0;
    const transport = {
      send(): Promise<void> {
        const mode = modes[call++];
        if (mode === 'throw') throw new Error('sync');
        if (mode === 'no-promise') return undefined as never;
        if (mode === 'reject') return Promise.reject(new TransportError('no', false));
        return Promise.resolve();
      },
    };
    const r = new BatchReporter<string>({ transport, encode: (s) => s.traceId, sizeOf: () => 10, maxBatchSize: 1, flushIntervalMs: 60_000 });
    for (const id of ['a', 'b', 'c', 'd']) r.report(seg(id));
    expect(() => r.drainFinal(64 * 1024)).not.toThrow();
    await tick();
    expect(call).toBe(4); // a throwing batch does not stop the others
    expect(r.stats).toMatchObject({ sent: 2, dropped: 2, failedSends: 2, queued: 0 });
  });

  it('a send that returns no promise counts as sent', async () => {
    const sent: string[][] = [];
    const transport = { send: (batch: string[]) => void sent.push(batch) } as unknown as BatchTransport<string>;
    const r = new BatchReporter<string>({ transport, encode: (s) => s.traceId, sizeOf: () => 1, flushIntervalMs: 60_000 });
    r.report(seg('a'));
    await r.flush(500);
    expect(sent).toEqual([['a']]);
    expect(r.stats).toMatchObject({ sent: 1, failedSends: 0 });
  });

  it('report() drops and counts items sizeOf cannot measure, and the byte bound holds', () => {
    const lines = captureDiag();
    const sizes: Record<string, () => number> = {
      throws: () => {
        throw new Error('size');
      },
      nan: () => NaN,
      negative: () => -1,
      text: () => 'big' as never,
      infinite: () => Infinity,
      ok: () => 40,
    };
    const r = new BatchReporter<string>({ transport: { send: async () => {} }, encode: (s) => s.traceId, sizeOf: (id) => sizes[id]!(), maxQueueBytes: 100, flushIntervalMs: 60_000 });
    for (const id of Object.keys(sizes)) expect(() => r.report(seg(id))).not.toThrow();
    r.report(seg('ok'));
    r.report(seg('ok')); // 120 bytes: over the bound
    expect(r.stats).toMatchObject({ queued: 2, dropped: 6 });
    expect(r.queue.bytes).toBe(80);
    expect(lines.filter((l) => l.includes('sizeOf failed'))).toHaveLength(1);
  });

  it('a size function that throws when a failed batch goes back to the queue drops the batch instead of rejecting', async () => {
    let measured = 0;
    const q = new ReportQueue<string>(() => {
      if (measured++ > 0) throw new Error('second time');
      return 1;
    });
    expect(q.push('a')).toBe(true);
    const batch = q.take(10, 10);
    expect(() => q.unshift(batch)).not.toThrow();
    expect([q.length, q.dropped]).toEqual([0, 1]);
  });
});
