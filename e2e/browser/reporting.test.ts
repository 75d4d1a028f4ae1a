// What the script tag puts on the wire, checked with the reference (protobufjs) decoder:
// gRPC-web frames and headers, OAP JSON field names, retries on 503 / UNAVAILABLE, drops on
// permanent errors, keepalive flush when the page is hidden or left, XHR failures, and the
// ESM build loaded as modules (what a bundler user ships).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSw8 } from '../../src/core/index.js';
import { eventually, launchChromium } from '../helpers/chromium.js';
import { GRPC_WEB_PATH, HTTP_PATH, parseFrames, startReceiver, type Receiver } from '../helpers/receiver.js';
import { fetchRecords, hidePage, recordFetch } from '../helpers/record-fetch.js';
import { startStaticServer, type StaticServer } from '../helpers/static-server.js';

let browser: Browser;
let app: StaticServer;
let rx: Receiver;

type Agent = {
  flush(): Promise<void>;
  shutdown(): Promise<void>;
  withSpan<T>(name: string, fn: (span: { tag(k: string, v: string): unknown }) => T): T;
  reporter: { stats?: Record<string, number> };
};
type SW = { start(o: object): Agent };

beforeAll(async () => {
  [app, rx, browser] = await Promise.all([startStaticServer(), startReceiver(), launchChromium()]);
  app.page('/blank.html', '<!doctype html><script src="/dist/skywalking-tracing.iife.min.js"></script><body>blank</body>');
  app.page('/blank-esm.html', '<!doctype html><body>no agent loaded</body>');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await rx?.close();
});

async function blank(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(app.url + '/blank.html');
  return page;
}

const spansFor = (path: string) =>
  rx
    .segments()
    .flatMap((s) => (s.spans as Array<Record<string, any>>).map((span) => ({ s, span })))
    .filter(({ span }) => (span.tags ?? []).some((t: { key: string; value: string }) => t.key === 'url' && new URL(t.value).pathname === path));

describe('wire format', () => {
  it('gRPC-web: one data frame holding a SegmentCollection, binary content type, x-grpc-web; decodes with protobufjs', async () => {
    const page = await blank();
    await page.evaluate(async (collector) => {
      const a = (window as unknown as { SkyWalking: SW }).SkyWalking.start({ service: 'wire-grpc', serviceInstance: 'v1', collector });
      await fetch('/echo/grpc-1');
      await fetch('/echo/grpc-2', { method: 'PUT' });
      await a.flush();
      await a.shutdown();
    }, rx.url);
    const r = rx.received.find((x) => x.segments.some((s) => s.service === 'wire-grpc'))!;
    expect(r.path).toBe(GRPC_WEB_PATH);
    expect(r.headers['content-type']).toBe('application/grpc-web+proto');
    expect(r.headers['x-grpc-web']).toBe('1');
    const frames = parseFrames(r.body);
    expect(frames.map((f) => f.flag)).toEqual([0]);
    expect(r.segments).toHaveLength(2);
    const seg = r.segments[0]!;
    expect(seg).toMatchObject({ service: 'wire-grpc', serviceInstance: 'v1' });
    expect(seg.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(seg.spans[0]).toMatchObject({ spanType: 'Exit', spanLayer: 'Http', componentId: 10001, operationName: '/blank.html', peer: new URL(app.url).host });
    const sw8 = decodeSw8(app.seen.find((s) => s.path === '/echo/grpc-1')!.headers.sw8 as string)!;
    expect(sw8).toMatchObject({ traceId: seg.traceId, parentSegmentId: seg.traceSegmentId, parentSpanId: 0, addressUsedAtClient: seg.spans[0].peer });
    const put = spansFor('/echo/grpc-2')[0]!.span;
    expect(put.tags).toEqual([
      { key: 'http.method', value: 'PUT' },
      { key: 'url', value: `${app.url}/echo/grpc-2` },
      { key: 'http.status_code', value: '200' },
    ]);
    await page.close();
  });

  it('HTTP: a JSON array with OAP field names and enum names, application/json', async () => {
    const page = await blank();
    await page.evaluate(async (collector) => {
      const a = (window as unknown as { SkyWalking: SW }).SkyWalking.start({ service: 'wire-json', serviceInstance: 'v2', collector, protocol: 'http' });
      await fetch('/missing/json');
      await a.flush();
      await a.shutdown();
    }, rx.url);
    const r = rx.received.find((x) => x.path === HTTP_PATH && x.segments.some((s) => s.service === 'wire-json'))!;
    expect(r.headers['content-type']).toBe('application/json');
    const body = JSON.parse(r.body.toString());
    expect(Array.isArray(body)).toBe(true);
    expect(Object.keys(body[0]).sort()).toEqual(['isSizeLimited', 'service', 'serviceInstance', 'spans', 'traceId', 'traceSegmentId']);
    expect(body[0].spans[0]).toMatchObject({ spanId: 0, parentSpanId: -1, spanType: 'Exit', spanLayer: 'Http', componentId: 10001, isError: true, peer: new URL(app.url).host });
    expect(typeof body[0].spans[0].startTime).toBe('number');
    await page.close();
  });
});

describe('delivery', () => {
  it('retries after 503 and a gRPC UNAVAILABLE trailer; drops (and counts) after a permanent error', async () => {
    rx.script.push({ http: 503 }, { grpc: 14, in: 'trailer' }, { grpc: 14, in: 'headers' });
    const page = await blank();
    const stats = await page.evaluate(async (collector) => {
      const a = (window as unknown as { SkyWalking: SW }).SkyWalking.start({ service: 'retry', serviceInstance: '1', collector, flushIntervalMs: 50 });
      await fetch('/echo/retry');
      // Three scripted failures, then success: backoff is 1 s doubling, so wait up to ~10 s.
      for (let i = 0; i < 200 && !(a.reporter.stats!.sent > 0); i++) await new Promise((r) => setTimeout(r, 50));
      const afterRetry = { ...a.reporter.stats };
      await a.shutdown();
      return afterRetry;
    }, rx.url);
    expect(stats).toMatchObject({ sent: 1, dropped: 0, failedSends: 3 });
    const attempts = rx.received.filter((r) => r.segments.some((s) => s.service === 'retry'));
    expect(attempts.map((r) => r.answer)).toEqual([{ http: 503 }, { grpc: 14, in: 'trailer' }, { grpc: 14, in: 'headers' }, 'ok']);
    // The same segment each time.
    expect(new Set(attempts.map((r) => r.segments[0]!.traceSegmentId)).size).toBe(1);

    rx.script.push({ grpc: 3, in: 'trailer' });
    const dropped = await page.evaluate(async (collector) => {
      const a = (window as unknown as { SkyWalking: SW }).SkyWalking.start({ service: 'rejected', serviceInstance: '1', collector, flushIntervalMs: 50 });
      await fetch('/echo/rejected');
      await a.flush();
      await new Promise((r) => setTimeout(r, 300));
      const s = { ...a.reporter.stats };
      await a.shutdown();
      return s;
    }, rx.url);
    expect(dropped).toMatchObject({ sent: 0, dropped: 1, failedSends: 1 });
    expect(rx.received.filter((r) => r.segments.some((s) => s.service === 'rejected'))).toHaveLength(1);
    await page.close();
  }, 30_000);

  it('page hidden: queued segments leave with keepalive, one batch in flight at a time within the 64 KiB budget, none lost', async () => {
    const page = await browser.newPage();
    await page.addInitScript(recordFetch);
    await page.goto(app.url + '/blank.html');
    await page.evaluate(async (collector) => {
      const a = (window as unknown as { SkyWalking: SW }).SkyWalking.start({ service: 'hide', serviceInstance: '1', collector, flushIntervalMs: 600_000 });
      await fetch('/echo/hide');
      // 150 segments of ~1.1 KB: well over one keepalive budget.
      for (let i = 0; i < 150; i++) a.withSpan('bulk-' + i, (span) => span.tag('pad', 'x'.repeat(1000)));
    }, rx.url);
    await new Promise((r) => setTimeout(r, 200));
    expect(spansFor('/echo/hide')).toHaveLength(0);
    await hidePage(page);
    await eventually(() => rx.segments().filter((s) => s.service === 'hide').length === 151);
    const reports = await fetchRecords(page, rx.url);
    expect(reports.length).toBeGreaterThanOrEqual(3);
    for (const r of reports) {
      expect(r).toMatchObject({ keepalive: true, settled: true });
      expect(r.error).toBeUndefined();
      expect(r.inFlight).toBeLessThanOrEqual(65536);
    }
    const stats = await page.evaluate(() => (window as unknown as { SkyWalking: { currentAgent(): Agent } }).SkyWalking.currentAgent().reporter.stats);
    expect(stats).toMatchObject({ sent: 151, dropped: 0, queued: 0 });
    await page.close();
  });

  it('page hidden, JSON with non-ASCII text: batches are measured in UTF-8 bytes, so each fits the keepalive budget', async () => {
    const page = await browser.newPage();
    await page.addInitScript(recordFetch);
    await page.goto(app.url + '/blank.html');
    await page.evaluate((collector) => {
      const a = (window as unknown as { SkyWalking: SW }).SkyWalking.start({ service: 'utf8', serviceInstance: '1', collector, protocol: 'http', flushIntervalMs: 600_000 });
      // ~450 characters, ~1,200 bytes each: by characters a 60,000 batch would be ~160 KB.
      for (let i = 0; i < 100; i++) a.withSpan('utf8-' + i, (span) => span.tag('text', 'é日本'.repeat(150)));
    }, rx.url);
    await hidePage(page);
    await eventually(() => rx.segments().filter((s) => s.service === 'utf8').length === 100);
    const reports = await fetchRecords(page, rx.url);
    expect(reports.length).toBeGreaterThanOrEqual(2);
    for (const r of reports) {
      expect(r.keepalive).toBe(true);
      expect(r.error).toBeUndefined();
      expect(r.size).toBeLessThanOrEqual(65536);
    }
    expect(rx.segments().find((s) => s.service === 'utf8')!.spans[0].tags).toContainEqual({ key: 'text', value: 'é日本'.repeat(150) });
    await page.close();
  });

  it('pagehide with more than 64 KiB queued: what fits leaves at once with keepalive, the rest is dropped and counted once', async () => {
    const page = await browser.newPage();
    await page.addInitScript(recordFetch);
    await page.goto(app.url + '/blank.html');
    const before = rx.received.length;
    const out = await page.evaluate((collector) => {
      const a = (window as unknown as { SkyWalking: SW }).SkyWalking.start({ service: 'leave-big', serviceInstance: '1', collector, flushIntervalMs: 600_000 });
      for (let i = 0; i < 150; i++) a.withSpan('big-' + i, (span) => span.tag('pad', 'x'.repeat(1000)));
      window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }));
      return { ...a.reporter.stats };
    }, rx.url);
    // Synchronously after the event: one batch in flight, nothing left queued.
    expect(out.queued).toBe(0);
    expect(out.dropped).toBeGreaterThan(0);
    await eventually(() => rx.received.length > before);
    await new Promise((r) => setTimeout(r, 300));
    const reports = await fetchRecords(page, rx.url);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ keepalive: true, settled: true });
    expect(reports[0]!.error).toBeUndefined();
    expect(reports[0]!.size).toBeLessThanOrEqual(65536);
    const delivered = rx.segments().filter((s) => s.service === 'leave-big').length;
    expect(delivered).toBeGreaterThan(40);
    const stats = await page.evaluate(() => ({ ...(window as unknown as { SkyWalking: { currentAgent(): Agent } }).SkyWalking.currentAgent().reporter.stats }));
    expect(stats).toMatchObject({ sent: delivered, dropped: 150 - delivered, queued: 0, failedSends: 0 });
    await page.close();
  });

  it('navigating away (pagehide) delivers what was queued', async () => {
    const page = await blank();
    await page.evaluate(async (collector) => {
      (window as unknown as { SkyWalking: SW }).SkyWalking.start({ service: 'leave', serviceInstance: '1', collector, protocol: 'http', flushIntervalMs: 600_000 });
      await fetch('/echo/leave-1');
      const x = new XMLHttpRequest();
      x.open('GET', '/echo/leave-2');
      await new Promise((r) => ((x.onloadend = r), x.send()));
    }, rx.url);
    await page.goto('about:blank');
    await eventually(() => spansFor('/echo/leave-1').length === 1 && spansFor('/echo/leave-2').length === 1);
    await page.close();
  });
});

describe('XHR failures and the ESM build', () => {
  it('XHR network errors, aborts and 5xx are errors; the caller sees the usual events', async () => {
    const page = await blank();
    const events = await page.evaluate(async (collector) => {
      const a = (window as unknown as { SkyWalking: SW }).SkyWalking.start({ service: 'xhr-fail', serviceInstance: '1', collector });
      const run = (url: string, abort = false) =>
        new Promise<string>((resolve) => {
          const x = new XMLHttpRequest();
          x.open('GET', url);
          x.onload = () => resolve('load ' + x.status);
          x.onerror = () => resolve('error');
          x.onabort = () => resolve('abort');
          x.send();
          if (abort) setTimeout(() => x.abort(), 50);
        });
      const out = [await run('http://127.0.0.1:1/down'), await run('/slow/xhr', true), await run('/fail/xhr'), await run(new URL('/echo/xhr-url', location.href) as unknown as string)];
      await a.flush();
      await a.shutdown();
      return out;
    }, rx.url);
    expect(events).toEqual(['error', 'abort', 'load 500', 'load 200']);
    for (const p of ['/down', '/slow/xhr', '/fail/xhr']) expect(spansFor(p)[0]?.span.isError, p).toBe(true);
    expect(spansFor('/echo/xhr-url')[0]?.span.isError).toBeFalsy();
    expect(decodeSw8(app.seen.find((s) => s.path === '/echo/xhr-url')!.headers.sw8 as string)?.parentService).toBe('xhr-fail');
    await page.close();
  });

  it('the ESM build runs unbundled in Chromium: importing changes no global, start() traces, shutdown restores', async () => {
    const page = await browser.newPage();
    await page.goto(app.url + '/blank-esm.html');
    const out = await page.evaluate(async (collector) => {
      // Captured before the module is imported: a patch made at import time shows here.
      const keys = () => Reflect.ownKeys(window).filter((k) => k !== 'esm');
      const snapshot = () => [window.fetch, XMLHttpRequest.prototype.open, XMLHttpRequest.prototype.setRequestHeader, XMLHttpRequest.prototype.send];
      const before = snapshot();
      const keysBefore = keys().length;
      // Through Function: the test runner would otherwise rewrite this import() for Node.
      const m = (await new Function('u', 'return import(u)')('/dist/esm/browser/index.js')) as SW;
      const same = (a: unknown[]) => a.every((f, i) => f === before[i]);
      const untouched = same(snapshot()) && keys().length === keysBefore;
      const a = m.start({ service: 'esm', serviceInstance: '1', collector });
      const patched = snapshot().every((f, i) => f !== before[i]);
      await fetch('/echo/esm');
      await a.flush();
      await a.shutdown();
      return { untouched, patched, restored: same(snapshot()) };
    }, rx.url);
    expect(out).toEqual({ untouched: true, patched: true, restored: true });
    expect(spansFor('/echo/esm')).toHaveLength(1);
    await page.close();
  });
});
