// Propagation through contexts: what goes out in sw8 / sw8-correlation / sw8-x, what an
// entry span makes of it, sampling decisions, plus the byte-level rules of sw8 against
// Node's Buffer as the Base64 oracle.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  decodeBase64,
  decodeCorrelation,
  decodeSw8,
  decodeSw8x,
  encodeCorrelation,
  encodeSw8,
  RateLimitingSampler,
  RatioSampler,
  recordCarrier,
  SW8_MAX_LENGTH,
  Tracer,
} from '../../src/core/index.js';
import type { Sampler, Sw8 } from '../../src/core/index.js';
import { fixture } from './fixture.js';


const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Strict Base64 → UTF-8 using Node as the oracle: canonical re-encoding and fatal UTF-8. */
function oracle(s: string): string | undefined {
  if (!s || !/^[A-Za-z0-9+/=]*$/.test(s)) return undefined;
  const bytes = Buffer.from(s, 'base64');
  if (bytes.toString('base64') !== s) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes) || undefined;
  } catch {
    return undefined;
  }
}

describe('base64 against Buffer', () => {
  it('decodes exactly what a strict decoder accepts', () => {
    // Whitespace too: atob skips it, a strict decoder must not.
    const alphabet = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n'.split(''));
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 24 }), (s) => {
        expect(decodeBase64(s)).toBe(oracle(s));
      }),
      { numRuns: 5000 },
    );
  });
  it('decodes Buffer-encoded arbitrary bytes like the oracle (invalid UTF-8 included)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 30 }), (bytes) => {
        const s = Buffer.from(bytes).toString('base64');
        expect(decodeBase64(s)).toBe(oracle(s));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('sw8 boundaries', () => {
  const base: Sw8 = { sampled: true, traceId: 't', parentSegmentId: 's', parentSpanId: 0, parentService: 'a', parentServiceInstance: 'b', parentEndpoint: 'e', addressUsedAtClient: 'h' };
  it('accepts values up to 2047 characters and refuses 2048', () => {
    // Grow the endpoint until the value is 2047 / 2048+ long (Base64 grows in steps of 4).
    let near: string | undefined;
    for (let n = 1400; n < 1600 && !near; n++) {
      const v = ['1', b64('t'), b64('s'), '0', b64('a'), b64('b'), b64('e'.repeat(n)), b64('h')].join('-');
      if (v.length === 2047 - 1 || v.length === 2047 || v.length === 2047 - 2) near = v;
    }
    expect(near).toBeDefined();
    expect(decodeSw8(near)).toBeDefined();
    const over = near!.replace(/-([^-]*)$/, '-' + b64('hhhhh'));
    expect(over.length).toBeGreaterThanOrEqual(SW8_MAX_LENGTH);
    expect(decodeSw8(over)).toBeUndefined();
    expect(encodeSw8({ ...base, parentEndpoint: 'e'.repeat(1600) })).toBeUndefined();
  });
  it('takes span ids 0 to 2^31-1 only, in canonical decimal', () => {
    const at = (id: string) => ['1', b64('t'), b64('s'), id, b64('a'), b64('b'), b64('e'), b64('h')].join('-');
    expect(decodeSw8(at('0'))?.parentSpanId).toBe(0);
    expect(decodeSw8(at('2147483647'))?.parentSpanId).toBe(2147483647);
    for (const bad of ['2147483648', '-0', '+1', '1.0', '1e3', ' 1', '0x1', '', '٣']) expect(decodeSw8(at(bad)), bad).toBeUndefined();
  });
  it('decodes what the other agents send (whitespace around the value is tolerated)', () => {
    const java = ['1', b64('4c1a0435.62.17000000000001'), b64('4c1a0435.62.17000000000002'), '3', b64('java-svc'), b64('uuid@10.0.0.1'), b64('GET:/api'), b64('10.0.0.2:8080')].join('-');
    expect(decodeSw8(' ' + java + ' ')).toMatchObject({ parentService: 'java-svc', parentSpanId: 3 });
    expect(decodeSw8(java.replace(/^1/, '0'))?.sampled).toBe(false);
  });
  it('never throws on mutated valid headers and only accepts them when every field is valid', () => {
    const good = encodeSw8({ ...base, traceId: 'trace-ä', parentEndpoint: 'GET:/ü' })!;
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.string({ maxLength: 3 }), (at, insert) => {
        const v = good.slice(0, at) + insert + good.slice(at + 1);
        const r = decodeSw8(v);
        if (r) {
          const parts = v.trim().split('-');
          expect(parts).toHaveLength(8);
          for (const i of [1, 2, 4, 5, 6, 7]) expect(oracle(parts[i]!)).toBeDefined();
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('context propagation', () => {
  it('sends 8 non-empty fields: field 7 the first entry name, field 8 the peer byte for byte', () => {
    const { tracer } = fixture();
    const ctx = tracer.createTracingContext();
    const e = ctx.createEntrySpan('GET:/orders/:id');
    const l = ctx.createLocalSpan('load');
    const headers: Record<string, string> = {};
    const peer = 'Orders-DB.internal:5432';
    const x = ctx.createExitSpan('select', l, peer, recordCarrier(headers));
    const sw8 = decodeSw8(headers.sw8)!;
    expect(sw8).toEqual({ sampled: true, traceId: ctx.traceId, parentSegmentId: ctx.segmentId, parentSpanId: x.spanId, parentService: 'svc', parentServiceInstance: 'inst', parentEndpoint: 'GET:/orders/:id', addressUsedAtClient: peer });
    expect(x.peer).toBe(peer);
    // Renaming the entry later does not change what was already promised downstream;
    // what the context sends from then on carries the new name.
    const promised = headers.sw8;
    e.setOperationName('GET:/renamed');
    expect(headers.sw8).toBe(promised);
    expect(Object.keys(headers)).toEqual(['sw8']); // no empty correlation, no sw8-x by default
    const later: Record<string, string> = {};
    ctx.createExitSpan('select again', l, peer, recordCarrier(later));
    expect(decodeSw8(later.sw8)!.parentEndpoint).toBe('GET:/renamed');
  });

  it('uses the endpoint option, or the first span, when the segment has no entry span', () => {
    const { tracer } = fixture();
    const h1: Record<string, string> = {};
    const page = tracer.createTracingContext({ endpoint: '/checkout' });
    page.createExitSpan('fetch', null, 'api:443', recordCarrier(h1));
    expect(decodeSw8(h1.sw8)!.parentEndpoint).toBe('/checkout');
    const h2: Record<string, string> = {};
    const job = tracer.createTracingContext();
    const l = job.createLocalSpan('nightly-job');
    job.createExitSpan('call', l, 'x:1', recordCarrier(h2));
    expect(decodeSw8(h2.sw8)!.parentEndpoint).toBe('nightly-job');
  });

  it('continues a valid incoming trace and starts a new one for anything invalid', () => {
    const { tracer, reporter } = fixture();
    const sw8 = encodeSw8({ sampled: true, traceId: 'up-trace', parentSegmentId: 'up-seg', parentSpanId: 4, parentService: 'up', parentServiceInstance: 'up-1', parentEndpoint: 'GET:/up', addressUsedAtClient: 'me:80' })!;
    const ok = tracer.createTracingContext();
    ok.createEntrySpan('GET:/me', null, recordCarrier({ sw8 })).end();
    expect(ok.traceId).toBe('up-trace');
    expect(reporter.segments[0]!.spans[0]!.refs).toEqual([
      { refType: 'CrossProcess', traceId: 'up-trace', parentTraceSegmentId: 'up-seg', parentSpanId: 4, parentService: 'up', parentServiceInstance: 'up-1', parentEndpoint: 'GET:/up', networkAddressUsedAtPeer: 'me:80' },
    ]);
    const throwing = { extract: () => { throw new Error('bad carrier'); } };
    for (const carrier of [recordCarrier({ sw8: sw8.replace(/-4-/, '-x-') }), recordCarrier({ sw8: ['x', sw8] }), recordCarrier({}), throwing]) {
      const ctx = tracer.createTracingContext();
      expect(() => ctx.createEntrySpan('GET:/me', null, carrier).end()).not.toThrow();
      expect(ctx.traceId).not.toBe('up-trace');
    }
    expect(reporter.segments.slice(1).map((s) => s.spans[0]!.refs.length)).toEqual([0, 0, 0, 0]);
    // Repeated headers: the first value counts.
    const arr = tracer.createTracingContext();
    arr.createEntrySpan('GET:/me', null, recordCarrier({ sw8: [sw8, 'x'] })).end();
    expect(arr.traceId).toBe('up-trace');
  });

  it('honours an incoming sample flag 0: propagates 0 and reports nothing', () => {
    const { tracer, reporter } = fixture();
    const sw8 = encodeSw8({ sampled: false, traceId: 'tr', parentSegmentId: 'sg', parentSpanId: 1, parentService: 'u', parentServiceInstance: 'u1', parentEndpoint: '/u', addressUsedAtClient: 'me:1' })!;
    const ctx = tracer.createTracingContext();
    const e = ctx.createEntrySpan('GET:/q', null, recordCarrier({ sw8 }));
    expect(ctx.isSampled).toBe(false);
    const out: Record<string, string> = {};
    ctx.createExitSpan('/next', e, 'n:1', recordCarrier(out)).end();
    e.end();
    expect(decodeSw8(out.sw8)).toMatchObject({ sampled: false, traceId: 'tr' });
    expect(reporter.segments).toHaveLength(0);
    expect(tracer.stats).toMatchObject({ unsampledSegments: 1, reportedSegments: 0 });
  });

  it('carries up to 3 correlation keys, only when there are any', () => {
    const { tracer } = fixture();
    const ctx = tracer.createTracingContext();
    const e = ctx.createEntrySpan('a');
    ctx.setCorrelation('k1', 'v1');
    ctx.setCorrelation('k2', 'x'.repeat(129)); // kept locally but not sent: over 128
    ctx.setCorrelation('k3', 'v3');
    ctx.setCorrelation('k4', 'refused'); // a 4th key
    ctx.setCorrelation('k1', 'v1b'); // override
    expect([...ctx.correlation.keys()]).toEqual(['k1', 'k2', 'k3']);
    const h: Record<string, string> = {};
    ctx.createExitSpan('x', e, 'p:1', recordCarrier(h));
    expect(decodeCorrelation(h['sw8-correlation'])).toEqual(new Map([['k1', 'v1b'], ['k3', 'v3']]));
    ctx.setCorrelation('k1', '');
    ctx.setCorrelation('k3', '');
    ctx.setCorrelation('k2', '');
    const h2: Record<string, string> = {};
    ctx.createExitSpan('y', e, 'p:1', recordCarrier(h2));
    expect(Object.keys(h2)).toEqual(['sw8']);

    const down = tracer.createTracingContext();
    down.createEntrySpan('b', null, recordCarrier(h));
    expect(down.correlation).toEqual(new Map([['k1', 'v1b'], ['k3', 'v3']]));
  });

  it('decodes correlation defensively', () => {
    const kv = (k: string, v: string) => b64(k) + ':' + b64(v);
    expect(decodeCorrelation([kv('a', '1'), 'bad', kv('b', '2'), 'x:y:z', kv('c', 'x'.repeat(129)), kv('d', '4'), kv('e', '5')].join(','))).toEqual(new Map([['a', '1'], ['b', '2'], ['d', '4']]));
    expect(decodeCorrelation('')).toEqual(new Map());
    expect(encodeCorrelation(new Map([['', 'x'], ['k', '']]))).toBeUndefined();
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ minLength: 1, maxLength: 128 }), { maxKeys: 3 }), (d) => {
        const enc = encodeCorrelation(d);
        expect(enc === undefined ? new Map() : decodeCorrelation(enc)).toEqual(new Map(Object.entries(d)));
      }),
    );
  });

  it('sw8-x tracing mode: skipAnalysis on every span, propagated downstream', () => {
    const { tracer, reporter } = fixture();
    const up = tracer.createTracingContext();
    const a = up.createEntrySpan('a');
    up.setSkipAnalysis();
    const h: Record<string, string> = {};
    up.createExitSpan('x', a, 'p:1', recordCarrier(h)).end();
    up.createLocalSpan('l').end();
    a.end();
    expect(decodeSw8x(h['sw8-x'])).toEqual({ skipAnalysis: true });
    expect(reporter.segments[0]!.spans.map((s) => s.skipAnalysis)).toEqual([true, true, true]);

    const down = tracer.createTracingContext();
    const e = down.createEntrySpan('b', null, recordCarrier(h));
    expect(down.skipAnalysis).toBe(true);
    const h2: Record<string, string> = {};
    down.createExitSpan('y', e, 'q:1', recordCarrier(h2)).end();
    e.end();
    expect(reporter.segments[1]!.spans.every((s) => s.skipAnalysis)).toBe(true);
    expect(decodeSw8x(h2['sw8-x'])?.skipAnalysis).toBe(true);
  });

  it('sw8-x send time: the receiving entry span gets transmission.latency', () => {
    const { tracer, reporter, clock } = fixture({ propagateSendTime: true });
    const up = tracer.createTracingContext();
    const a = up.createEntrySpan('a');
    clock.set(1_800_000_000_000);
    const h: Record<string, string> = {};
    up.createExitSpan('send', a, 'mq:5672', recordCarrier(h)); // span at ..010, stamped at ..020
    expect(h['sw8-x']).toBe('0-1800000000020');
    clock.set(1_800_000_000_245);
    const down = tracer.createTracingContext();
    down.createEntrySpan('consume', null, recordCarrier(h)).end(); // starts at ...255
    expect(reporter.segments[0]!.spans[0]!.tags).toEqual([{ key: 'transmission.latency', value: '235' }]);
    // A send time in the future (clock skew) is not recorded as a negative latency.
    const skew = tracer.createTracingContext();
    skew.createEntrySpan('c', null, recordCarrier({ ...h, 'sw8-x': '0-9999999999999' })).end();
    expect(reporter.segments[1]!.spans[0]!.tags).toEqual([]);
  });
});

describe('sampling', () => {
  const never: Sampler = { shouldSample: () => false };

  it('drops traces the sampler declines, but still propagates them with flag 0', () => {
    const { tracer, reporter } = fixture({ sampler: never });
    const ctx = tracer.createTracingContext();
    const e = ctx.createEntrySpan('a');
    const h: Record<string, string> = {};
    ctx.createExitSpan('x', e, 'p:1', recordCarrier(h)).end();
    e.end();
    expect(h.sw8!.startsWith('0-')).toBe(true);
    expect(reporter.segments).toHaveLength(0);
  });

  it('lets upstream decisions win over the local sampler', () => {
    const { tracer, reporter } = fixture({ sampler: never });
    const sw8 = encodeSw8({ sampled: true, traceId: 'tr', parentSegmentId: 'sg', parentSpanId: 1, parentService: 'u', parentServiceInstance: 'u1', parentEndpoint: '/u', addressUsedAtClient: 'me:1' })!;
    tracer.createTracingContext().createEntrySpan('a', null, recordCarrier({ sw8 })).end();
    expect(reporter.segments).toHaveLength(1);
    // A snapshot of a sampled context keeps its decision in the continued context.
    const { tracer: t2, reporter: r2 } = fixture();
    const src = t2.createTracingContext();
    src.createEntrySpan('s');
    const t3 = new Tracer({ service: 'svc', serviceInstance: 'inst', reporter: r2, sampler: never });
    const cont = t3.createTracingContext();
    cont.continued(src.capture());
    cont.createLocalSpan('w').end();
    expect(r2.segments).toHaveLength(1);
  });

  it('a throwing sampler samples and never reaches the caller', () => {
    const { tracer, reporter } = fixture({ sampler: { shouldSample: () => { throw new Error('x'); } } });
    tracer.createTracingContext().createEntrySpan('a').end();
    expect(reporter.segments).toHaveLength(1);
  });

  it('RatioSampler keeps the given fraction', () => {
    expect(new RatioSampler(0).shouldSample()).toBe(false);
    expect(new RatioSampler(1).shouldSample()).toBe(true);
    expect(new RatioSampler(7).ratio).toBe(1);
    expect(new RatioSampler(-1).ratio).toBe(0);
    expect(new RatioSampler(NaN).ratio).toBe(1);
    const values = [0.05, 0.29, 0.31, 0.99];
    const spy = vi.spyOn(Math, 'random').mockImplementation(() => values.shift() ?? 0.5);
    try {
      const s = new RatioSampler(0.3);
      expect([s.shouldSample(), s.shouldSample(), s.shouldSample(), s.shouldSample()]).toEqual([true, true, false, false]);
    } finally {
      spy.mockRestore();
    }
  });

  it('RateLimitingSampler allows N new traces per wall-clock second (injected clock)', () => {
    let now = 5_000_300;
    const s = new RateLimitingSampler(3, { now: () => now });
    expect(Array.from({ length: 5 }, () => s.shouldSample())).toEqual([true, true, true, false, false]);
    now = 5_000_999;
    expect(s.shouldSample()).toBe(false);
    now = 5_001_000; // a new second
    expect(Array.from({ length: 4 }, () => s.shouldSample())).toEqual([true, true, true, false]);
    now = 4_000_000; // the clock went back: a fresh window, not a stuck sampler
    expect(s.shouldSample()).toBe(true);
    expect(new RateLimitingSampler(0).shouldSample()).toBe(true);
  });

  it('a tracer with a rate limit reports at most N segments per second', () => {
    let now = 1_000_000;
    const clock = { now: () => now };
    const { tracer, reporter } = fixture({ clock, sampler: new RateLimitingSampler(2, clock) });
    for (let i = 0; i < 5; i++) tracer.createTracingContext().createEntrySpan('a' + i).end();
    now += 1000;
    tracer.createTracingContext().createEntrySpan('b').end();
    expect(reporter.segments.map((s) => s.spans[0]!.operationName)).toEqual(['a0', 'a1', 'b']);
    expect(tracer.stats.unsampledSegments).toBe(3);
  });
});
