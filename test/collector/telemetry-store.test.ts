// The collector's logs and meters: one byte budget, oldest out first and counted; meter
// series named by their stream's first element, with bounded points.
import { describe, expect, it } from 'vitest';
import { meterStreamTracker, TelemetryStore } from '../../src/collector/telemetry-store.js';

describe('TelemetryStore', () => {
  it('keeps logs and meters within the byte budget, evicting the oldest and counting them', () => {
    const t = new TelemetryStore({ maxBytes: 40_000 });
    for (let i = 0; i < 1000; i++) {
      t.addLog({ service: 's', body: { text: { text: `line ${i}` } } });
      t.addMeters([{ singleValue: { name: 'm', value: i } }], { service: 's', serviceInstance: 'i', timestamp: i });
    }
    expect(t.bytes).toBeLessThanOrEqual(40_000);
    expect(t.evicted.logs + t.evicted.meters).toBe(2000 - t.logs.length - t.meters.length);
    expect(t.logs.length).toBeGreaterThan(10);
    expect(t.meters.length).toBeGreaterThan(10);
    expect((t.logs.at(-1) as { body: { text: { text: string } } }).body.text.text).toBe('line 999');
    const [series] = t.series.values();
    expect(series).toMatchObject({ service: 's', serviceInstance: 'i', name: 'm', kind: 'single' });
    expect(series!.points.length).toBe(180);
    expect(series!.points.at(-1)).toEqual([999, 999]);
  });

  it('names every element of a meter stream by its first element', () => {
    const track = meterStreamTracker();
    const t = new TelemetryStore();
    const first = { singleValue: { name: 'a', value: 1 }, service: 'svc', serviceInstance: 'inst', timestamp: 5 };
    const second = { histogram: { name: 'h', labels: [{ name: 'k', value: 'v' }], values: [{ bucket: 0, count: 2 }, { bucket: 10, count: 3 }] } };
    t.addMeters([first], track(first));
    t.addMeters([second], track(second));
    expect([...t.series.values()].map((s) => [s.service, s.serviceInstance, s.name, s.labels, s.points])).toEqual([
      ['svc', 'inst', 'a', '', [[5, 1]]],
      ['svc', 'inst', 'h', 'k=v', [[5, 5]]],
    ]);
    expect(t.series.size).toBe(2);
  });

  it('refuses series beyond maxSeries and counts them', () => {
    const t = new TelemetryStore({ maxSeries: 3 });
    for (let i = 0; i < 10; i++) t.addMeters([{ singleValue: { name: `m${i}`, value: 1 } }], { service: 's', serviceInstance: 'i', timestamp: 1 });
    expect(t.series.size).toBe(3);
    expect(t.evicted.series).toBe(7);
  });

  it('keeps the meter series, counted in bytes, within half of the budget: no new series past it, and full ones stop growing', () => {
    const t = new TelemetryStore({ maxBytes: 20_000 });
    for (let round = 0; round < 200; round++)
      for (let i = 0; i < 50; i++) t.addMeters([{ singleValue: { name: `m${i}`, value: round } }], { service: 's', serviceInstance: 'i', timestamp: round });
    expect(t.seriesBytes).toBeGreaterThan(5_000);
    expect(t.seriesBytes).toBeLessThanOrEqual(10_000);
    expect(t.bytes).toBeLessThanOrEqual(20_000);
    expect(t.evicted.series).toBeGreaterThan(0);
    const points = [...t.series.values()].reduce((n, s) => n + s.points.length, 0);
    expect(points).toBeLessThan(10_000 / 48);
    // The latest point is kept: a full series drops its oldest.
    expect([...t.series.values()][0]!.points.at(-1)).toEqual([199, 199]);
  });
});
