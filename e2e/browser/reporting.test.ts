// What the script tag puts on the wire, checked with the reference (protobufjs) decoder:
// gRPC-web frames and headers, OAP JSON field names, retries on 503 / UNAVAILABLE, drops on
// permanent errors, keepalive flush when the page is hidden or left, XHR failures, and the
// ESM build loaded as modules (what a bundler user ships).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSw8 } from '../../src/core/index.js';
import { eventually, launchChromium } from '../helpers/chromium.js';
import { GRPC_WEB_PATH, HTTP_PATH, parseFrames, startReceiver, type Receiver } from '../helpers/receiver.js';
import { startStaticServer, type StaticServer } from '../helpers/static-server.js';

let browser: Browser;
let app: StaticServer;
let rx: Receiver;

type SW = { start(o: object): { flush(): Promise<void>; shutdown(): Promise<void>; reporter: { stats?: Record<string, number> } } };

beforeAll(async () => {
  [app, rx, browser] = await Promise.all([startStaticServer(), startReceiver(), launchChromium()]);
  app.page('/blank.html', '<!doctype html><script src="/dist/skywalking-tracing.iife.min.js"></script><body>blank</body>');
  app.page(
    '/esm.html',
    `<!doctype html><script type="module">import { start, Tag } from '/dist/esm/browser/index.js'; window.esm = { start, Tag };</script>`,
  );
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

  it('page hidden: queued segments leave at once with keepalive', async () => {
    const page = await blank();
    await page.evaluate(async (collector) => {
      (window as unknown as { SkyWalking: SW }).SkyWalking.start({ service: 'hide', serviceInstance: '1', collector, flushIntervalMs: 600_000 });
      await fetch('/echo/hide');
    }, rx.url);
    await new Promise((r) => setTimeout(r, 200));
    expect(spansFor('/echo/hide')).toHaveLength(0);
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await eventually(() => spansFor('/echo/hide').length === 1);
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

  it('the ESM build runs unbundled in Chromium: importing has no effect, start() traces', async () => {
    const page = await browser.newPage();
    await page.goto(app.url + '/esm.html');
    await page.waitForFunction(() => 'esm' in window);
    const out = await page.evaluate(async (collector) => {
      const w = window as unknown as { esm: SW };
      const before = window.fetch;
      const untouched = typeof before === 'function' && !('SkyWalking' in window);
      const a = w.esm.start({ service: 'esm', serviceInstance: '1', collector });
      await fetch('/echo/esm');
      await a.flush();
      await a.shutdown();
      return { untouched, restored: window.fetch === before };
    }, rx.url);
    expect(out).toEqual({ untouched: true, restored: true });
    expect(spansFor('/echo/esm')).toHaveLength(1);
    await page.close();
  });
});
