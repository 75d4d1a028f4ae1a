// The platform-free meters: counter modes, gauges read at report time, histogram buckets,
// bounds and misuse, and MeterData bytes decoded by protobufjs loading proto/.
import { afterEach, describe, expect, it } from 'vitest';
import { METER_LIMITS, MeterRegistry, setDiagLogger } from '../../src/core/index.js';
import { encodeMeterStream } from '../../src/core/meter/encode.js';
import type { DiagLogger, MeterSample } from '../../src/core/index.js';
import { ProtoWriter } from '../../src/core/encode/proto-writer.js';
import { decodeAs } from '../helpers/proto.js';

function capture(): { logger: DiagLogger; messages: string[] } {
  const messages: string[] = [];
  const push = (m: string) => void messages.push(m);
  return { logger: { error: push, warn: push, info: push, debug: push }, messages };
}

const value = (samples: MeterSample[], name: string) => {
  const s = samples.find((x) => x.name === name);
  return s?.kind === 'single' ? s.value : undefined;
};

afterEach(() => setDiagLogger(undefined, 'none'));

describe('counter', () => {
  it('increment mode reports the running total; rate mode the delta since the last report', () => {
    const r = new MeterRegistry();
    const total = r.counter('requests_total');
    const rate = r.counter('requests_rate', { mode: 'rate' });
    total.increment();
    total.increment(4);
    rate.increment(2);
    rate.increment(3);
    let s = r.collect();
    expect(value(s, 'requests_total')).toBe(5);
    expect(value(s, 'requests_rate')).toBe(5);
    total.increment(1);
    rate.increment(1);
    s = r.collect();
    expect(value(s, 'requests_total')).toBe(6);
    expect(value(s, 'requests_rate')).toBe(1);
    s = r.collect();
    expect(value(s, 'requests_rate')).toBe(0);
  });

  it('refuses negative and non-finite amounts with one diagnostic', () => {
    const { logger, messages } = capture();
    setDiagLogger(logger, 'warn');
    const c = new MeterRegistry().counter('neg_total');
    c.increment(-1);
    c.increment(NaN);
    c.increment(Infinity);
    c.increment(2);
    expect(messages.filter((m) => m.includes('neg_total'))).toHaveLength(1);
  });

  it('the same name and labels give the same counter, whatever the label order', () => {
    const r = new MeterRegistry();
    const a = r.counter('hits', { labels: { a: '1', b: '2' } });
    const b = r.counter('hits', { labels: { b: '2', a: '1' } });
    expect(a).toBe(b);
    expect(r.size).toBe(1);
    r.counter('hits', { labels: { a: '1', b: '3' } });
    expect(r.size).toBe(2);
  });
});

describe('gauge', () => {
  it('reads the callback at report time; a throwing callback is one diagnostic, never an exception', () => {
    const { logger, messages } = capture();
    setDiagLogger(logger, 'warn');
    const r = new MeterRegistry();
    let n = 1;
    r.gauge('queue_depth', () => n);
    r.gauge('broken', () => {
      throw new Error('boom');
    });
    r.gauge('not_a_number', () => 'x' as unknown as number);
    expect(value(r.collect(), 'queue_depth')).toBe(1);
    n = 7;
    const s = r.collect();
    expect(value(s, 'queue_depth')).toBe(7);
    expect(s.map((x) => x.name)).toEqual(['queue_depth']);
    expect(messages.filter((m) => m.includes('broken'))).toHaveLength(1);
    expect(messages.filter((m) => m.includes('not_a_number'))).toHaveLength(1);
  });
});

describe('histogram', () => {
  it('counts each value into the bucket of the greatest step <= v; below the first step is dropped', () => {
    const r = new MeterRegistry();
    // Unsorted with a duplicate: normalised to [10, 50, 100].
    const h = r.histogram('latency', [100, 10, 50, 10]);
    for (const v of [5, 10, 11, 49.9, 50, 99, 100, 1000]) h.addValue(v);
    const [s] = r.collect();
    expect(s).toMatchObject({
      kind: 'histogram',
      buckets: [
        { bucket: 10, count: 3 },
        { bucket: 50, count: 2 },
        { bucket: 100, count: 2 },
      ],
    });
  });

  it('refuses steps that leave nothing usable', () => {
    const { logger, messages } = capture();
    setDiagLogger(logger, 'warn');
    const r = new MeterRegistry();
    r.histogram('empty', []).addValue(1);
    r.histogram('bad', [NaN] as number[]).addValue(1);
    expect(r.size).toBe(0);
    expect(messages.length).toBeGreaterThanOrEqual(2);
  });
});

describe('bounds and misuse', () => {
  it('refuses meters beyond 500, bad names and bad labels, each with a diagnostic', () => {
    const { logger, messages } = capture();
    setDiagLogger(logger, 'warn');
    const r = new MeterRegistry();
    for (let i = 0; i < METER_LIMITS.maxMeters + 20; i++) r.counter(`c${i}`).increment();
    expect(r.size).toBe(500);
    expect(r.refused).toBe(20);
    expect(messages.filter((m) => m.includes('at most 500'))).toHaveLength(1);
    const before = r.refused;
    const s = new MeterRegistry();
    s.counter('has.dot');
    s.counter('x'.repeat(129));
    s.counter('ok', { labels: { 'bad-label': 'v' } });
    s.counter('ok', { labels: 'nope' as unknown as Record<string, string> });
    s.counter('ok', { mode: 'sometimes' as 'rate' });
    s.counter(42 as unknown as string);
    expect(s.size).toBe(0);
    expect(s.refused).toBe(6);
    expect(before).toBe(20);
    // A refused meter is still usable: it does nothing.
    expect(() => s.counter('has.dot').increment()).not.toThrow();
  });

  it('cuts long label values; a kind clash is refused', () => {
    const r = new MeterRegistry();
    r.counter('mixed', { labels: { k: 'v'.repeat(1000) } }).increment();
    const h = r.histogram('mixed', [1], { labels: { k: 'v'.repeat(1000) } });
    h.addValue(5);
    const [s] = r.collect();
    expect(s!.kind).toBe('single');
    expect(s!.labels[0]!.value.length).toBe(METER_LIMITS.maxLabelValueLength);
  });
});

describe('MeterData encoding', () => {
  it('decodes with protobufjs: single values and histograms, metadata on the first element only', () => {
    const r = new MeterRegistry();
    r.counter('orders', { labels: { shop: 'north' } }).increment(3);
    r.gauge('temp', () => -12.5);
    const h = r.histogram('sizes', [0, 1.5, 1e9]);
    h.addValue(0);
    h.addValue(2);
    h.addValue(2e9);
    h.addValue(2e9);
    const bytes = encodeMeterStream(new ProtoWriter(), r.collect(), { service: 'svc', serviceInstance: 'inst', timestamp: 1_700_000_000_123 });
    const [a, b, c] = bytes.map((x) => decodeAs('MeterData', x));
    expect(a).toMatchObject({ singleValue: { name: 'orders', labels: [{ name: 'shop', value: 'north' }], value: 3 }, service: 'svc', serviceInstance: 'inst', timestamp: 1_700_000_000_123 });
    expect(b).toMatchObject({ singleValue: { name: 'temp', value: -12.5 }, service: '', serviceInstance: '', timestamp: 0 });
    expect(c).toMatchObject({
      histogram: {
        name: 'sizes',
        values: [
          { bucket: 0, count: 1 },
          { bucket: 1.5, count: 1 },
          { bucket: 1e9, count: 2 },
        ],
      },
      timestamp: 0,
    });
  });

  it('writes doubles past a buffer growth correctly', () => {
    const r = new MeterRegistry();
    for (let i = 0; i < 50; i++) r.gauge(`g${i}`, () => i + 0.25, { labels: { pad: 'p'.repeat(200) } });
    const w = new ProtoWriter(16);
    const decoded = encodeMeterStream(w, r.collect(), { service: 's', serviceInstance: 'i', timestamp: 1 }).map((x) => decodeAs('MeterData', x));
    expect(decoded.map((d) => (d.singleValue as { value: number }).value)).toEqual(Array.from({ length: 50 }, (_, i) => i + 0.25));
  });
});

