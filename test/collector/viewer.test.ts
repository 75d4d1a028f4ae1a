// The viewer page in real Chromium: it lists traces, draws one trace as a waterfall across
// services (nested by cross-process references), shows span details and problems, and
// picks up new traces by polling; its browser, meters and logs views show what the real
// receivers took. Keeps a screenshot of each view in test-results/.
import { existsSync, mkdirSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '../../src/collector/index.js';
import { ComponentId, InMemoryReporter, Tracer } from '../../src/core/index.js';
import type { SegmentObject } from '../../src/core/index.js';
import { encodeMessage } from '../../src/server/index.js';
import { makeTrace } from './fixtures.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** browser → api → inventory, on a scripted clock so the waterfall has real proportions. */
function checkoutTrace(): SegmentObject[] {
  let now = Date.now() - 5000;
  const clock = { now: () => now };
  const at = (ms: number) => (now += ms);
  const reporter = new InMemoryReporter();
  const web = new Tracer({ service: 'shop-web', serviceInstance: '2.3.0', reporter, clock });
  const api = new Tracer({ service: 'shop-api', serviceInstance: 'api-1', reporter, clock });
  const inv = new Tracer({ service: 'inventory', serviceInstance: 'inv-1', reporter, clock });
  const hop = () => {
    const h: Record<string, string> = {};
    return { inject: (k: string, v: string) => void (h[k] = v), extract: (k: string) => h[k] };
  };
  const w = web.createTracingContext({ endpoint: '/cart' });
  const wh = hop();
  const wExit = w.createExitSpan('/cart', null, 'shop.example:443', wh);
  wExit.setComponent(ComponentId.Ajax);
  wExit.tag('http.method', 'POST').tag('url', 'https://shop.example/api/checkout');
  at(8);
  const a = api.createTracingContext();
  const aEntry = a.createEntrySpan('POST:/api/checkout', null, wh);
  aEntry.peer = '203.0.113.7:51234'; // the caller's address, as Node's http server entry records it
  aEntry.setComponent(ComponentId.HttpServer);
  aEntry.setLayer('Http');
  aEntry.tag('http.method', 'POST');
  at(3);
  const local = a.createLocalSpan('price cart');
  at(14);
  local.end();
  const ah = hop();
  const aExit = a.createExitSpan('/stock/sku-42', null, 'inventory:8081', ah);
  aExit.setComponent(ComponentId.HttpClient);
  aExit.setLayer('Http');
  at(4);
  const i = inv.createTracingContext();
  const iEntry = i.createEntrySpan('GET:/stock/:sku', null, ah);
  iEntry.peer = '10.0.0.12:40122';
  iEntry.setComponent(ComponentId.HttpServer);
  iEntry.setLayer('Http');
  at(2);
  const db = i.createExitSpan('SELECT stock', null, 'postgres:5432');
  db.setLayer('Database');
  db.tag('db.statement', 'SELECT qty FROM stock WHERE sku = $1');
  at(21);
  db.error(new Error('deadlock detected'));
  db.end();
  at(3);
  iEntry.tag('http.status_code', '500');
  iEntry.error();
  iEntry.end();
  at(2);
  aExit.tag('http.status_code', '500');
  aExit.end();
  at(6);
  aEntry.tag('http.status_code', '200');
  aEntry.end();
  at(5);
  wExit.end();
  return reporter.segments;
}

let c: Collector;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  c = await startCollector({ grpcPort: 0, httpPort: 0 });
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  page = await browser.newPage({ viewport: { width: 1400, height: 820 } });
  page.setDefaultTimeout(8000);
});
afterAll(async () => {
  await browser?.close();
  await c?.close();
});

describe('trace viewer', () => {
  it('draws a trace across services, shows details and problems, and picks up new traces', async () => {
    const broken = makeTrace('legacy');
    broken.find((s) => s.service === 'legacy-down')!.spans[0]!.refs[0]!.networkAddressUsedAtPeer = 'elsewhere:1';
    c.store.addSegments(broken);
    const segs = checkoutTrace();
    c.store.addSegments(segs);
    const traceId = segs[0]!.traceId;

    await page.goto(`${c.httpUrl}/#${traceId}`);
    await page.waitForSelector('.grid .row:not(.head)');
    // Both traces are listed, newest first, the broken one flagged.
    const items = page.locator('.trace');
    expect(await items.count()).toBe(2);
    // Named by the page path and the first service endpoint the click reached.
    expect(await items.nth(0).locator('.ep').textContent()).toBe('/cart → POST:/api/checkout' + 'error');
    expect(await items.nth(0).locator('.ep .badge.err').count()).toBe(1);
    expect(await items.nth(1).locator('.badge.warn').textContent()).toMatch(/1 problem/);

    // Every span of every segment, in causal order, nested by parent and by reference.
    const rows = page.locator('.grid .row:not(.head) .name');
    const names = await rows.locator('.op').allTextContents();
    expect(names).toEqual(['/cart', 'POST:/api/checkout', 'price cart', '/stock/sku-42', 'GET:/stock/:sku', 'SELECT stock']);
    const indent = await rows.evaluateAll((els) => els.map((e) => parseInt((e as HTMLElement).style.paddingLeft, 10)));
    expect(indent).toEqual([8, 24, 40, 40, 56, 72]);
    // Process boundaries are labelled with the service; errors are red.
    expect(await page.locator('.grid .hop').allTextContents()).toEqual(['shop-web', 'shop-api', 'inventory']);
    expect(await page.locator('.grid .name.error .op').allTextContents()).toEqual(['GET:/stock/:sku', 'SELECT stock']);
    expect(await page.locator('.problems').count()).toBe(0);
    // Services in causal order, the caller first.
    expect(await page.locator('.sub .chip').allTextContents()).toEqual(['shop-web', 'shop-api', 'inventory']);

    // Span details: tags, refs, logs.
    await rows.nth(5).click();
    const detail = await page.locator('#detail').textContent();
    expect(detail).toContain('db.statement');
    expect(detail).toContain('SELECT qty FROM stock WHERE sku = $1');
    expect(detail).toContain('deadlock detected');
    expect(detail).toContain('Exit · Database');
    await rows.nth(4).click();
    expect(await page.locator('#detail').textContent()).toContain('Entry · Http · 49 (http)');
    expect(await page.locator('#detail').textContent()).toMatch(/CrossProcess ref.*shop-api \/ api-1 · POST:\/api\/checkout.*via inventory:8081/);

    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/collector-viewer.png' });

    // The broken trace shows its problem in the header and on the span.
    await items.nth(1).click();
    await page.waitForSelector('.problems');
    expect(await page.locator('.problems').first().textContent()).toMatch(/networkAddressUsedAtPeer "elsewhere:1" ≠ caller's exit peer "down:80"/);
    expect(await page.locator('.grid .warn').count()).toBe(1);
    await page.screenshot({ path: 'test-results/collector-viewer-problems.png' });

    // Segments whose references form a cycle are still drawn, every span once.
    const cyclic = JSON.parse(JSON.stringify(makeTrace('cyclic'))) as SegmentObject[];
    cyclic[1]!.spans[0]!.refs.push({ ...cyclic[0]!.spans[0]!.refs[0]!, parentTraceSegmentId: cyclic[0]!.traceSegmentId, parentSpanId: 0 });
    c.store.addSegments(cyclic);
    await page.goto(`${c.httpUrl}/#${cyclic[0]!.traceId}`);
    await page.waitForSelector('.problems');
    expect(await page.locator('.grid .row:not(.head)').count()).toBe(3);

    // Logs, meters and browser data appear as counts beside the traces.
    c.store.addLog({ service: 'logs' });
    c.store.addMeters([{ service: 'm' }, { service: 'm' }]);
    c.store.addBrowserPerf(3);
    await page.waitForFunction(() => /1 log · 2 meters · 3 browser perf reports/.test(document.getElementById('stats')!.textContent!), null, { timeout: 5000 });
    expect(await page.locator('#stats a', { hasText: '2 meters' }).getAttribute('href')).toBe('#/meters');

    // A trace reported now shows up without a reload.
    const fresh = makeTrace('late-arrival');
    c.store.addSegments(fresh);
    await page.waitForSelector(`.trace[data-id="${fresh[0]!.traceId}"]`, { timeout: 5000 });
    await page.fill('#filter', 'late-arrival');
    expect(await page.locator('.trace').count()).toBe(1);
  });

  it('stays readable at 1024 px: axis labels apart, span names whole, labels inside their cells', async () => {
    const segs = checkoutTrace();
    c.store.addSegments(segs);
    const narrow = await browser.newPage({ viewport: { width: 1024, height: 700 } });
    try {
      await narrow.goto(`${c.httpUrl}/#${segs[0]!.traceId}`);
      await narrow.waitForSelector('.grid .row:not(.head)');
      const boxes = await narrow.locator('.axis span').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => [r.left, r.right]));
      expect(boxes.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < boxes.length; i++) expect(boxes[i]![0], `axis label ${i}`).toBeGreaterThan(boxes[i - 1]![1] + 4);
      // Ticks are round numbers (multiples of 1, 2 or 5 × 10^k ms), then the trace's 68 ms end.
      const ticks = (await narrow.locator('.axis span').allTextContents()).map((t) => Number(t.replace(' ms', '')));
      expect(ticks.at(-1)).toBe(68);
      const step = ticks[1]!;
      expect([1, 2, 5].some((m) => Number.isInteger(Math.log10(step / m)))).toBe(true);
      expect(ticks.slice(0, -1)).toEqual(ticks.slice(0, -1).map((_, i) => i * step));
      const cut = await narrow.locator('.grid .name .op').evaluateAll((els) => els.filter((e) => e.scrollWidth > e.clientWidth).map((e) => e.textContent));
      expect(cut).toEqual([]);
      const clipped = await narrow.locator('.bar em').evaluateAll((els) =>
        els.filter((e) => {
          const r = e.getBoundingClientRect();
          const cell = e.parentElement!.getBoundingClientRect();
          return r.left < cell.left || r.right > cell.right;
        }).length,
      );
      expect(clipped).toBe(0);
      // Exit peers are named in the waterfall, not in the name column.
      expect(await narrow.locator('.grid .name').allTextContents()).not.toContainEqual(expect.stringContaining('inventory:8081'));
      expect(await narrow.locator('.bar em .peer:visible').allTextContents()).toContain('→ inventory:8081');
      await narrow.screenshot({ path: 'test-results/collector-viewer-1024.png' });
    } finally {
      await narrow.close();
    }
  });

  it('keeps the time axis to sane spans and marks a span with a broken clock', async () => {
    const segs = checkoutTrace();
    const inv = segs.find((s) => s.service === 'inventory')!;
    inv.spans[1]!.startTime = 12345;
    c.store.addSegments(segs);
    await page.goto(`${c.httpUrl}/#${segs[0]!.traceId}`);
    await page.waitForSelector('.grid .row:not(.head)');
    expect(await page.locator('.axis span').last().textContent()).toBe('68 ms');
    const bad = page.locator('.grid .row:not(.head)').nth(5);
    expect(await bad.locator('.bar em.bad').textContent()).toMatch(/time outside the trace \(12345 → \d+\)/);
    expect(await bad.locator('.bar > span').count()).toBe(0);
    expect(await bad.locator('.warn').count()).toBe(1);
    expect(await page.locator('.problems').first().textContent()).toMatch(/start time 12345 is not epoch milliseconds/);
  });

  it('colours services named __proto__ and constructor like any other, and says when a trace is shown in part', async () => {
    const segs = checkoutTrace();
    segs.find((s) => s.service === 'shop-web')!.service = '__proto__';
    segs.find((s) => s.service === 'shop-api')!.service = 'constructor';
    c.store.addSegments(segs);
    await page.goto(`${c.httpUrl}/#${segs[0]!.traceId}`);
    await page.waitForSelector('.grid .row:not(.head)');
    const chips = await page.locator('.sub .chip .svc').evaluateAll((els) => els.map((e) => (e as HTMLElement).style.background));
    expect(chips).toHaveLength(3);
    for (const bg of chips) expect(bg).toMatch(/^rgb\(/);

    // Over the answer's span bound: drawn in part, with a note.
    const SPANS = 2600; // two segments: over the answer's 5000 spans
    const [one] = makeTrace('wide');
    const wide: SegmentObject[] = Array.from({ length: 2 }, (_, i) => ({ ...one!, traceId: 'wide-trace', traceSegmentId: `wide-${i}`, spans: Array.from({ length: SPANS }, (_, k) => ({ ...one!.spans[0]!, spanId: k, parentSpanId: k ? 0 : -1, refs: [] })) }));
    c.store.addSegments(wide);
    await page.goto(`${c.httpUrl}/#wide-trace`);
    await page.waitForSelector('.problems >> text=/left out/', { timeout: 15_000 });
    expect(await page.locator('.problems').first().textContent()).toMatch(/Too large to show whole: 1 of 2 segments are left out/);
    expect(await page.locator('.grid .row:not(.head)').count()).toBe(SPANS);
  });
});

const postJson = (path: string, body: unknown) =>
  fetch(c.httpUrl + path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }).then((r) => {
    if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
  });

/** A gRPC client stream (or, with one message and `unary`, a unary call) to the collector's gRPC port. */
function grpcCall(path: string, type: string, messages: Array<Record<string, unknown>>, unary = false): Promise<void> {
  const cl = new (grpc.makeGenericClientConstructor({}, 'x'))(c.grpcAddress, grpc.credentials.createInsecure());
  const ser = (b: Uint8Array) => Buffer.from(b);
  const done = (resolve: () => void, reject: (e: Error) => void) => (err: grpc.ServiceError | null) => {
    cl.close();
    if (err) reject(err);
    else resolve();
  };
  return new Promise<void>((resolve, reject) => {
    if (unary) return void cl.makeUnaryRequest(path, ser, (b: Buffer) => b, encodeMessage(type, messages[0]!), done(resolve, reject));
    const call = cl.makeClientStreamRequest(path, ser, (b: Buffer) => b, done(resolve, reject));
    for (const m of messages) call.write(encodeMessage(type, m));
    call.end();
  });
}

/** No horizontal scrolling: the view fits the window. */
const fitsWidth = (p: Page) => p.evaluate(() => [...document.querySelectorAll('#main, #top, body')].every((e) => e.scrollWidth <= e.clientWidth + 1));

describe('browser view', () => {
  it('shows pages with views, timings and rated vitals, and errors grouped by message, from the REST and gRPC receivers', async () => {
    const view = (pagePath: string, loadPageTime: number, extra: Record<string, unknown> = {}) => ({
      service: 'shop-web', serviceVersion: '2.3.0', pagePath, redirectTime: 0, dnsTime: 12, ttfbTime: 80, tcpTime: 20, transTime: 15, domAnalysisTime: 300, fptTime: 150,
      domReadyTime: 700, loadPageTime, resTime: 200, sslTime: 18, ttlTime: 600, firstPackTime: 110, ...extra,
    });
    for (const t of [900, 1100, 1300]) await postJson('/browser/perfData', view('/cart', t));
    // An SPA route view: navigation fields 0 (a view, not a load).
    await postJson('/browser/perfData', { service: 'shop-web', serviceVersion: '2.3.0', pagePath: '/cart' });
    await grpcCall('/skywalking.v3.BrowserPerfService/collectPerfData', 'BrowserPerfData', [view('/cart', 4700)], true);
    await grpcCall('/skywalking.v3.BrowserPerfService/collectPerfData', 'BrowserPerfData', [view('/checkout', 2100)], true);
    for (const [lcpTime, cls] of [[1800, 0.02], [2000, 0.03], [2200, 0.05], [3100, 0.31]] as const) await postJson('/browser/perfData/webVitals', { service: 'shop-web', pagePath: '/cart', lcpTime, cls, fmpTime: 640 });
    await grpcCall('/skywalking.v3.BrowserPerfService/collectWebVitalsPerfData', 'BrowserWebVitalsPerfData', [{ service: 'shop-web', pagePath: '/checkout', lcpTime: 5200, cls: 0, fmpTime: 900 }], true);
    await postJson('/browser/perfData/webInteractions', [88, 100, 120, 350].map((inpTime) => ({ service: 'shop-web', pagePath: '/cart', inpTime })));
    const boom = { service: 'shop-web', serviceVersion: '2.3.0', category: 'js', grade: 'Error', message: "TypeError: Cannot read properties of undefined (reading 'price')", line: 41, col: 17, errorUrl: 'https://shop.example/app.js', stack: "TypeError: Cannot read properties of undefined (reading 'price')\n    at total (https://shop.example/app.js:41:17)\n    at render (https://shop.example/app.js:88:5)" };
    await postJson('/browser/errorLogs', [{ ...boom, pagePath: '/cart' }, { ...boom, pagePath: '/cart' }, { ...boom, pagePath: '/checkout' }]);
    await grpcCall('/skywalking.v3.BrowserPerfService/collectErrorLogs', 'BrowserErrorLog', [{ service: 'shop-web', pagePath: '/checkout', category: 'resource', grade: 'Warning', message: 'img load failed: /hero.webp', errorUrl: 'https://shop.example/hero.webp' }]);

    await page.goto(`${c.httpUrl}/#/browser`);
    await page.waitForSelector('#pages tbody tr');
    expect(await page.locator('#tabs a.sel').textContent()).toBe('Browser');
    expect(await page.locator('#list').isVisible()).toBe(false);
    const rows = page.locator('#pages tbody tr');
    expect(await rows.count()).toBe(2);
    const cells = (i: number) => rows.nth(i).locator('td').allTextContents();
    // /cart: 5 views (one a route change), 2 errors; LCP p75 2200 ms (good), CLS p75 0.05, INP p75 120 ms; page load over the 4 full loads.
    const cart = await cells(0);
    expect(cart[0]).toBe('/cart shop-web');
    expect(cart.slice(1, 7)).toEqual(['5', '2', '2.20 s', '0.05', '120 ms', '640 ms']);
    expect(cart[7]).toBe('2.00 s'); // (900 + 1100 + 1300 + 4700) / 4
    expect(await rows.nth(0).locator('.rate').evaluateAll((els) => els.map((e) => e.className))).toEqual(['rate good', 'rate good', 'rate good']);
    // /checkout: LCP 5.2 s is poor.
    expect(await rows.nth(1).locator('.rate').first().getAttribute('class')).toBe('rate poor');
    // The selected page's timings and vitals bands.
    expect(await page.locator('#timings tbody tr').first().locator('td').allTextContents()).toEqual(['Redirect', '0 ms', '0 ms', '0 ms', '0 ms', '0 ms', '4']);
    expect(await page.locator('#timings tbody tr', { hasText: 'Page load' }).locator('td').nth(6).textContent()).toBe('4');
    expect(await page.locator('#vitals .vital-lcp').textContent()).toMatch(/2\.20 s good.*75% good · 25% needs improvement · 0% poor/);
    expect(await page.locator('#vitals .vital-cls').textContent()).toMatch(/0\.05 good.*75% good · 0% needs improvement · 25% poor/);
    // Errors grouped by message, with counts, pages and the stack.
    const groups = page.locator('#errgroups > .errgroup');
    expect(await groups.count()).toBe(2);
    expect(await groups.nth(0).locator('.msg').textContent()).toBe("TypeError: Cannot read properties of undefined (reading 'price')×3jsError");
    expect(await groups.nth(0).locator('.meta').textContent()).toMatch(/^shop-web · on \/cart ×2, \/checkout ×1 · https:\/\/shop\.example\/app\.js:41:17 · last /);
    await groups.nth(0).locator('summary').click();
    expect(await groups.nth(0).locator('pre').textContent()).toContain('at render (https://shop.example/app.js:88:5)');
    expect(await groups.nth(1).getAttribute('class')).toBe('errgroup Warning');
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/collector-viewer-browser.png', fullPage: true });

    // Another page's details on a click.
    await rows.nth(1).click();
    await page.locator('#pages tr.sel', { hasText: '/checkout' }).waitFor({ timeout: 5000 });
    expect(await page.locator('#vitals .vital-lcp').textContent()).toMatch(/5\.20 s poor/);

    const narrow = await browser.newPage({ viewport: { width: 1024, height: 700 } });
    try {
      await narrow.goto(`${c.httpUrl}/#/browser`);
      await narrow.waitForSelector('#pages tbody tr', { timeout: 8000 });
      expect(await fitsWidth(narrow)).toBe(true);
      await narrow.screenshot({ path: 'test-results/collector-viewer-browser-1024.png', fullPage: true });
    } finally {
      await narrow.close();
    }
  });
});

describe('meters and logs views', () => {
  it('draws meters per service and instance as small charts, from the gRPC MeterReportService', async () => {
    const t0 = Date.now() - 60_000;
    const MiB = 1024 * 1024;
    // One stream per period, as agents report: the first element names the service, instance and time.
    for (const [i, heap, cpu] of [[0, 40 * MiB, 3.5], [1, 44 * MiB, 7], [2, 41 * MiB, 5]] as const) {
      await grpcCall('/skywalking.v3.MeterReportService/collect', 'MeterData', [
        { service: 'orders', serviceInstance: 'orders-1', timestamp: t0 + i * 20_000, singleValue: { name: 'instance_nodejs_heap_used', value: heap } },
        { singleValue: { name: 'instance_nodejs_process_cpu', value: cpu } },
        { histogram: { name: 'checkout_latency', labels: [{ name: 'route', value: '/checkout' }], values: [{ bucket: 0, count: 3 + i }, { bucket: 50, count: 9 + i }, { bucket: 100, count: 2 }, { bucket: 250, count: i }] } },
      ]);
    }
    await grpcCall('/skywalking.v3.MeterReportService/collectBatch', 'MeterDataCollection', [{ meterData: [{ service: 'inventory', serviceInstance: 'inv-1', timestamp: t0, singleValue: { name: 'stock_reads', value: 12 } }] }]);

    await page.goto(`${c.httpUrl}/#/meters`);
    await page.waitForSelector('#meters .meter');
    expect(await page.locator('#meters .inst').allTextContents()).toEqual(['inventory/ inv-1', 'orders/ orders-1']);
    const heap = page.locator('.meter[data-name="instance_nodejs_heap_used"]');
    expect(await heap.locator('.big').textContent()).toBe('41.0 MiB');
    expect(await heap.locator('.range').textContent()).toBe('min 40.0 MiB' + 'max 44.0 MiB · 3 pts');
    // The sparkline has one vertex per point, the highest value at the top.
    const vertices = (await heap.locator('polyline').getAttribute('points'))!.split(' ').map((p) => p.split(',').map(Number));
    expect(vertices).toHaveLength(3);
    expect(vertices[1]![1]).toBeLessThan(vertices[0]![1]!);
    expect(await page.locator('.meter[data-name="instance_nodejs_process_cpu"] .big').textContent()).toBe('5 %');
    const hist = page.locator('.meter[data-name="checkout_latency"]');
    expect(await hist.locator('.name').textContent()).toBe('checkout_latency {route=/checkout}');
    expect(await hist.locator('rect').count()).toBe(4);
    await page.screenshot({ path: 'test-results/collector-viewer-meters.png', fullPage: true });

    await page.selectOption('#msvc', 'inventory');
    await page.waitForFunction(() => document.querySelectorAll('#meters .inst').length === 1);
    expect(await page.locator('#mcount').textContent()).toBe('1 of 4 series');

    const narrow = await browser.newPage({ viewport: { width: 1024, height: 700 } });
    try {
      await narrow.goto(`${c.httpUrl}/#/meters`);
      await narrow.waitForSelector('#meters .meter', { timeout: 8000 });
      expect(await fitsWidth(narrow)).toBe(true);
      await narrow.screenshot({ path: 'test-results/collector-viewer-meters-1024.png' });
    } finally {
      await narrow.close();
    }
  });

  it("lists logs with filters, and shows a trace's logs under it and on their span", async () => {
    const segs = checkoutTrace();
    c.store.addSegments(segs);
    const traceId = segs[0]!.traceId;
    const inv = segs.find((s) => s.service === 'inventory')!;
    const dbSpan = inv.spans.find((s) => s.operationName === 'SELECT stock')!;
    const now = Date.now();
    const earlier = c.store.logs.length; // other tests' logs
    const log = (service: string, level: string, text: string, extra: Record<string, unknown> = {}) => ({
      timestamp: now, service, serviceInstance: `${service}-1`, endpoint: 'GET:/stock/:sku', body: { text: { text } }, tags: { data: [{ key: 'level', value: level }, { key: 'logger', value: `${service}.app` }] }, ...extra,
    });
    await postJson('/v3/logs', [
      log('inventory', 'INFO', 'stock lookup for sku-42', { traceContext: { traceId, traceSegmentId: inv.traceSegmentId, spanId: 0 } }),
      log('inventory', 'ERROR', 'deadlock detected while reading stock', { traceContext: { traceId, traceSegmentId: inv.traceSegmentId, spanId: dbSpan.spanId } }),
      log('billing', 'WARN', 'invoice template missing, using default'),
    ]);
    // And one over gRPC (LogReportService), with a JSON body.
    await grpcCall('/skywalking.v3.LogReportService/collect', 'LogData', [{ timestamp: now + 1, service: 'billing', serviceInstance: 'billing-1', body: { json: { json: '{"invoice":17,"state":"sent"}' } }, tags: { data: [{ key: 'level', value: 'INFO' }] } }]);

    await page.goto(`${c.httpUrl}/#/logs`);
    await page.waitForSelector('#logs tbody tr');
    const bodies = () => page.locator('#logs td.body pre').allTextContents();
    // Newest first.
    expect((await bodies()).slice(0, 4)).toEqual(['{"invoice":17,"state":"sent"}', 'invoice template missing, using default', 'deadlock detected while reading stock', 'stock lookup for sku-42']);
    expect(await page.locator('#lcount').textContent()).toBe(`${earlier + 4} logs`);
    await page.screenshot({ path: 'test-results/collector-viewer-logs.png', fullPage: true });
    await page.selectOption('#llvl', 'ERROR');
    await page.waitForFunction(() => document.querySelectorAll('#logs tbody tr').length === 1);
    expect(await bodies()).toEqual(['deadlock detected while reading stock']);
    await page.selectOption('#llvl', '');
    await page.selectOption('#lsvc', 'billing');
    await page.waitForFunction(() => document.querySelectorAll('#logs tbody tr').length === 2);
    expect(await page.locator('#lcount').textContent()).toBe(`2 of ${earlier + 4} logs`);
    await page.selectOption('#lsvc', '');
    await page.fill('#ltext', 'TEMPLATE');
    await page.waitForFunction(() => document.querySelectorAll('#logs tbody tr').length === 1);
    expect(await bodies()).toEqual(['invoice template missing, using default']);
    await page.fill('#ltext', '');
    await page.fill('#ltrace', traceId);
    await page.waitForFunction(() => document.querySelectorAll('#logs tbody tr').length === 2);

    // From a log to its trace, where the trace's logs sit under the waterfall.
    await page.locator('#logs a.spanlink').first().click();
    await page.waitForSelector('#tracelogs tbody tr');
    expect(await page.locator('#tabs a.sel').textContent()).toBe('Traces');
    expect(await page.locator('#tracelogs h3').textContent()).toBe('Logs of this trace 2');
    // In the order they were written, like the spans above them.
    expect(await page.locator('#tracelogs td.body pre').allTextContents()).toEqual(['stock lookup for sku-42', 'deadlock detected while reading stock']);
    // A log's span link selects the span, whose panel lists the log.
    await page.locator('#tracelogs .spanlink', { hasText: `span ${dbSpan.spanId}` }).click();
    await page.waitForSelector('.grid .row.sel');
    expect(await page.locator('.grid .row.sel .op').textContent()).toBe('SELECT stock');
    expect(await page.locator('#detail').textContent()).toMatch(/ERROR \d\d:\d\d:\d\d inventory\.appdeadlock detected while reading stock/);
    await page.locator('#tracelogs').scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'test-results/collector-viewer-trace-logs.png' });

    const narrow = await browser.newPage({ viewport: { width: 1024, height: 700 } });
    try {
      await narrow.goto(`${c.httpUrl}/#/logs`);
      await narrow.waitForSelector('#logs tbody tr', { timeout: 8000 });
      expect(await fitsWidth(narrow)).toBe(true);
      await narrow.screenshot({ path: 'test-results/collector-viewer-logs-1024.png' });
    } finally {
      await narrow.close();
    }
  });
});

describe('database, cache, queue and RPC spans', () => {
  it('labels the layer in the waterfall and puts the statement, command and queue first in the detail panel', async () => {
    let now = Date.now() - 3000;
    const clock = { now: () => now };
    const reporter = new InMemoryReporter();
    const api = new Tracer({ service: 'orders', serviceInstance: 'orders-1', reporter, clock });
    const ctx = api.createTracingContext();
    const entry = ctx.createEntrySpan('POST:/orders', null);
    entry.setLayer('Http');
    const exit = (op: string, layer: 'Database' | 'Cache' | 'MQ' | 'RPCFramework', peer: string, tags: Record<string, string>, ms: number) => {
      now += 1;
      const s = ctx.createExitSpan(op, null, peer);
      s.setLayer(layer);
      for (const [k, v] of Object.entries(tags)) s.tag(k, v);
      now += ms;
      s.end();
    };
    exit('PostgreSQL/query', 'Database', 'db:5432', { 'db.type': 'PostgreSQL', 'db.instance': 'shop', 'db.statement': 'SELECT id, total\nFROM orders\nWHERE customer_id = $1 AND state = $2' }, 12);
    exit('Redis/GET', 'Cache', 'cache:6379', { 'cache.type': 'Redis', 'cache.cmd': 'GET', 'cache.op': 'read', 'cache.key': 'customer:42:cart' }, 2);
    exit('RabbitMQ/orders/created/Producer', 'MQ', 'mq:5672', { 'mq.broker': 'mq:5672', 'mq.topic': 'orders', 'mq.queue': 'order-created' }, 3);
    exit('billing.Invoices.create', 'RPCFramework', 'billing:50051', { 'rpc.status_code': 'OK' }, 9);
    now += 2;
    entry.end();
    c.store.addSegments(reporter.segments);

    await page.goto(`${c.httpUrl}/#${reporter.segments[0]!.traceId}`);
    await page.waitForSelector('.grid .row:not(.head)');
    expect(await page.locator('.grid .layer').allTextContents()).toEqual(['HTTP', 'DB', 'Cache', 'MQ', 'RPC']);
    const rows = page.locator('.grid .row:not(.head) .name');
    await rows.nth(1).click();
    expect(await page.locator('#detail .what').textContent()).toBe('db.typePostgreSQLdb.instanceshopdb.statementSELECT id, total\nFROM orders\nWHERE customer_id = $1 AND state = $2');
    // Shown once: not again in the tag table.
    expect(await page.locator('#detail table').textContent()).not.toContain('db.statement');
    await page.screenshot({ path: 'test-results/collector-viewer-database.png', fullPage: true });
    await rows.nth(2).click();
    expect(await page.locator('#detail .what').textContent()).toBe('cache.typeRediscache.opreadcache.cmdGETcache.keycustomer:42:cart');
    expect(await page.locator('#detail .what code').allTextContents()).toEqual(['GET', 'customer:42:cart']);
    await rows.nth(3).click();
    expect(await page.locator('#detail .what').textContent()).toBe('mq.brokermq:5672mq.topicordersmq.queueorder-created');
    await rows.nth(4).click();
    expect(await page.locator('#detail .what').textContent()).toBe('rpc.status_codeOK');
    await rows.nth(0).click();
    expect(await page.locator('#detail .what').count()).toBe(0);
  });
});
