// The browser view's aggregation: page views, timing averages and percentiles, web vitals
// against their thresholds, errors grouped by message — all within fixed bounds.
import { describe, expect, it } from 'vitest';
import { BrowserStats, MAX_ERROR_GROUPS, MAX_PAGES } from '../../src/collector/browser-stats.js';
import { LogHistogram } from '../../src/collector/log-histogram.js';
import { TraceStore } from '../../src/collector/store.js';

const load = (pagePath: string, loadPageTime: number, extra: Record<string, unknown> = {}) => ({ service: 'web', serviceVersion: '1', pagePath, loadPageTime, ttfbTime: 20, dnsTime: 0, ...extra });

describe('LogHistogram', () => {
  it('is exact below 100 and for a few values, close above, with a bounded number of buckets', () => {
    const small = new LogHistogram();
    for (const v of [5, 1, 3, 2, 4]) small.add(v);
    expect([small.quantile(0.5), small.quantile(0.8), small.quantile(1), small.sum / small.count]).toEqual([3, 4, 5, 3]);
    const big = new LogHistogram();
    for (let v = 1; v <= 100_000; v++) big.add(v);
    for (const q of [0.5, 0.75, 0.95]) expect(Math.abs(big.quantile(q)! - q * 100_000) / (q * 100_000)).toBeLessThan(0.025);
    // 100 000 distinct values, a few hundred buckets.
    expect(big.size).toBeLessThan(300);
    for (const v of [-1, NaN, Infinity]) expect(big.add(v)).toBe(0);
    expect(big.count).toBe(100_000);
    expect(new LogHistogram().quantile(0.5)).toBeUndefined();
  });
});

describe('BrowserStats', () => {
  it('counts page views, averages the timings of full loads only, and rates LCP, CLS and INP at p75', () => {
    const b = new BrowserStats(1 << 20);
    b.addPerf('perf', [load('/cart', 1000), load('/cart', 2000, { fmpTime: 700 }), load('/cart', 3000), load('/cart', 6000)]);
    // An SPA route view: navigation fields 0. A view, not a load.
    b.addPerf('perf', [{ service: 'web', pagePath: '/cart', loadPageTime: 0, ttfbTime: 0 }]);
    // No service: dropped, as OAP drops it. No page path: `/`.
    b.addPerf('perf', [{ pagePath: '/cart', loadPageTime: 5 }, { service: 'web', loadPageTime: '40' }]);
    b.addPerf('vitals', [
      { service: 'web', pagePath: '/cart', lcpTime: 1200, cls: 0.02, fmpTime: 800 },
      { service: 'web', pagePath: '/cart', lcpTime: 3000, cls: 0.3, fmpTime: -1 },
      { service: 'web', pagePath: '/cart', lcpTime: -1, clsTime: 0.05 }, // unmeasured LCP; older client-js's CLS name
      { service: 'web', pagePath: '/cart', lcpTime: 5000, cls: -1 },
    ]);
    b.addPerf('interactions', [40, 60, 80, 600].map((inpTime) => ({ service: 'web', pagePath: '/cart', inpTime })));
    b.addPerf('resources', [{ service: 'web', pagePath: '/cart', name: 'a.js', duration: 5, size: 9 }]);
    const [cart, root] = b.pages();
    expect(root).toMatchObject({ service: 'web', pagePath: '/', views: 1, loads: 1 });
    expect(root!.timings.loadPageTime).toMatchObject({ count: 1, avg: 40 });
    expect(cart).toMatchObject({ service: 'web', pagePath: '/cart', views: 5, loads: 4, errors: 0 });
    expect(cart!.timings.loadPageTime).toMatchObject({ count: 4, avg: 3000, max: 6000 });
    const { p50, p75, p95 } = cart!.timings.loadPageTime!;
    [p50, p75, p95].forEach((got, i) => expect(Math.abs(got / [2000, 3000, 6000][i]! - 1)).toBeLessThan(0.025));
    expect(cart!.timings.ttfbTime).toEqual({ count: 4, avg: 20, p50: 20, p75: 20, p95: 20, max: 20 });
    expect(cart!.timings.dnsTime!.avg).toBe(0);
    expect(cart!.timings.sslTime).toBeUndefined();
    expect(cart!.vitals.lcp).toMatchObject({ count: 3, good: 1, needsImprovement: 1, poor: 1, rating: 'poor' });
    expect(cart!.vitals.cls).toMatchObject({ count: 3, p50: 0.05, max: 0.3, good: 2, needsImprovement: 0, poor: 1, rating: 'poor' });
    expect(cart!.vitals.inp).toMatchObject({ count: 4, p50: 60, p75: 80, good: 3, needsImprovement: 0, poor: 1, rating: 'good' });
    // FMP as is: from the perf data when measured and from the vitals, never -1.
    expect(cart!.vitals.fmp).toEqual({ count: 2, avg: 750, p50: 700, p75: 800, p95: 800, max: 800 });
  });

  it('groups errors by service, category and message, with counts, the latest stack and the pages (bounded)', () => {
    const b = new BrowserStats(1 << 20);
    const err = (message: string, pagePath: string, stack = '') => ({ service: 'web', category: 'js', grade: 'Error', message, pagePath, stack, errorUrl: 'https://x/app.js', line: 3, col: 9 });
    b.addErrors([err('boom', '/a', 'Error: boom\n  at f (app.js:3:9)'), err('boom', '/b'), err('boom', '/a'), err('other', '/a'), { service: 'web', category: 1, message: 'img' }]);
    for (let i = 0; i < 30; i++) b.addErrors([err('everywhere', `/p${i}`)]);
    const groups = b.errorGroups();
    expect(groups.map((g) => [g.message, g.count])).toEqual([
      ['everywhere', 30],
      ['boom', 3],
      ['img', 1], // the most recent first among equals
      ['other', 1],
    ]);
    expect(groups[1]).toMatchObject({ category: 'js', grade: 'Error', stack: 'Error: boom\n  at f (app.js:3:9)', errorUrl: 'https://x/app.js', line: 3, col: 9, pages: [{ pagePath: '/a', count: 2 }, { pagePath: '/b', count: 1 }], otherPages: 0 });
    expect(groups[2]!.category).toBe('resource');
    expect(groups[0]!.pages).toHaveLength(10);
    expect(groups[0]!.otherPages).toBe(20);
    // Errors are counted on their page too.
    expect(b.pages().find((p) => p.pagePath === '/a')).toMatchObject({ views: 0, errors: 3 });
  });

  it('keeps at most MAX_PAGES pages and MAX_ERROR_GROUPS groups, the least recently reported evicted first', () => {
    const b = new BrowserStats(1 << 30);
    for (let i = 0; i < MAX_PAGES + 50; i++) b.addPerf('perf', [load(`/p${i}`, 100)]);
    expect(b.pageCount).toBe(MAX_PAGES);
    expect(b.evicted.pages).toBe(50);
    expect(b.pages(5000).some((p) => p.pagePath === '/p0')).toBe(false);
    for (let i = 0; i < MAX_ERROR_GROUPS + 7; i++) b.addErrors([{ service: 'web', message: `m${i}`, pagePath: '/x' }]);
    expect(b.groupCount).toBe(MAX_ERROR_GROUPS);
    expect(b.evicted.errorGroups).toBe(7);
  });

  it('stays within its byte budget whatever arrives: long names, many distinct values, huge stacks', () => {
    const b = new BrowserStats(200_000);
    for (let i = 0; i < 3000; i++) {
      const values = Object.fromEntries(['redirectTime', 'dnsTime', 'ttfbTime', 'tcpTime', 'transTime', 'domAnalysisTime', 'fptTime', 'domReadyTime', 'loadPageTime', 'resTime', 'sslTime', 'ttlTime', 'firstPackTime'].map((k, j) => [k, (i * 7919 + j * 104729) % 1e7]));
      b.addPerf('perf', [{ service: 'web', pagePath: `/${'x'.repeat(5000)}${i % 40}`, ...values }]);
      b.addErrors([{ service: 'web', message: `${'m'.repeat(5000)}${i}`, stack: 's'.repeat(100_000), pagePath: `/${i}` }]);
      expect(b.bytes).toBeLessThanOrEqual(200_000);
    }
    expect(b.evicted.pages + b.evicted.errorGroups).toBeGreaterThan(0);
    // Kept texts are cut on receipt.
    const [g] = b.errorGroups(1);
    expect(g!.stack.length).toBeLessThanOrEqual(4001);
    expect(g!.message.length).toBeLessThanOrEqual(1001);
    expect(b.pages(1)[0]!.pagePath.length).toBeLessThanOrEqual(513);
  });
});

describe('TraceStore browser data', () => {
  it('counts every perf report, aggregates it, and holds pages and groups within an eighth of the budget, in store.bytes', () => {
    const store = new TraceStore({ maxBytes: 800_000 });
    store.addBrowserPerfData('perf', [load('/', 10), load('/', 30)]);
    store.addBrowserPerfData('resources', [{ service: 'web', name: 'a.js' }]);
    expect(store.counts.browserPerf).toBe(3);
    expect(store.browser.pages()[0]).toMatchObject({ views: 2, timings: { loadPageTime: { avg: 20 } } });
    const before = store.bytes;
    for (let i = 0; i < 5000; i++) {
      store.addBrowserPerfData('perf', [load(`/page/${i}`, i)]);
      store.addBrowserErrors([{ service: 'web', message: `e${i}`, stack: 'x'.repeat(2000) }]);
    }
    expect(store.browser.bytes).toBeLessThanOrEqual(100_000);
    expect(store.bytes).toBeLessThanOrEqual(800_000);
    expect(store.bytes).toBeGreaterThan(before);
  });
});
