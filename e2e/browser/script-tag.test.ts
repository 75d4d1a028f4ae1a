// The script-tag bundle in real Chromium: what it propagates where, every input form of
// fetch and XHR, failures, both report protocols, page-hide flush and a Web Worker.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '../../src/collector/index.js';
import type { SegmentObject } from '../../src/core/index.js';
import { decodeSw8 } from '../../src/core/index.js';
import { eventually, launchChromium } from '../helpers/chromium.js';
import { fetchRecords, hidePage, recordFetch } from '../helpers/record-fetch.js';

const BUNDLE = readFileSync(new URL('../../dist/skywalking-tracing.iife.min.js', import.meta.url));

interface Seen {
  method: string;
  path: string;
  sw8?: string;
}

let collector: Collector;
let app: http.Server; // the page's origin
let other: http.Server; // a second origin: allowed as localhost:P, not allowed as 127.0.0.1:P
let appUrl: string;
let otherPort: number;
let closedPort: number;
let browser: Browser;
const appSeen: Seen[] = [];
const otherSeen: Seen[] = [];

const listen = (s: http.Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));

function pageHtml(attrs: string, body = ''): string {
  return `<!doctype html><html><head><script src="/sw.js" ${attrs}></script></head><body>${body}</body></html>`;
}

beforeAll(async () => {
  collector = await startCollector({ grpcPort: 0, httpPort: 0 });
  other = http.createServer((req, res) => {
    otherSeen.push({ method: req.method!, path: req.url!, sw8: req.headers.sw8 as string | undefined });
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', '*');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    res.end('other');
  });
  otherPort = await listen(other);
  const closed = http.createServer();
  closedPort = await listen(closed);
  await new Promise((r) => closed.close(r));
  app = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/sw.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(BUNDLE);
    if (url.pathname === '/grpc.html')
      return void res.end(pageHtml(`data-service="web" data-service-instance="2.0" data-collector="${collector.httpUrl}" data-propagate-to="http://localhost:${otherPort}"`));
    if (url.pathname === '/http.html') return void res.end(pageHtml(`data-service="web-http" data-service-instance="2.0" data-collector="${collector.httpUrl}" data-protocol="http"`));
    if (url.pathname === '/manual.html') return void res.end(pageHtml(''));
    if (url.pathname === '/worker.js')
      return void res
        .writeHead(200, { 'content-type': 'text/javascript' })
        .end(
          `importScripts('/sw.js'); const a = SkyWalking.start({ service: 'worker', serviceInstance: 'w1', collector: ${JSON.stringify(collector.httpUrl)}, protocol: 'http' });` +
            `fetch('/echo/worker').then(r => r.text()).then(() => a.flush()).then(() => postMessage('done'));`,
        );
    appSeen.push({ method: req.method!, path: req.url!, sw8: req.headers.sw8 as string | undefined });
    if (url.pathname.startsWith('/stream')) {
      res.write('a'.repeat(1000));
      setTimeout(() => res.end('b'.repeat(1000)), 50);
      return;
    }
    if (url.pathname.startsWith('/slow')) return void setTimeout(() => res.end('late'), 2000);
    if (url.pathname.startsWith('/fail')) return void res.writeHead(500).end('fail');
    res.end(JSON.stringify({ sw8: req.headers.sw8 ?? null }));
  });
  appUrl = `http://127.0.0.1:${await listen(app)}`;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  app?.close();
  other?.close();
  await collector?.close();
});

beforeEach(() => {
  appSeen.length = 0;
  otherSeen.length = 0;
});

const segmentsOf = (service: string): SegmentObject[] =>
  [...collector.store.traces.values()].flatMap((t) => t.segments).filter((s) => s.service === service);
const exitFor = (service: string, path: string) =>
  segmentsOf(service)
    .flatMap((s) => s.spans.map((span) => ({ s, span })))
    .find(({ span }) => span.tags.some((t) => t.key === 'url' && new URL(t.value).pathname === path));

async function open(path: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(appUrl + path);
  await page.waitForFunction(() => 'SkyWalking' in window);
  return page;
}

describe('script tag in Chromium (gRPC-web to the collector)', () => {
  it('adds sw8 to every fetch and XHR input form on the page origin, replacing a caller-set sw8, without mutating inputs', async () => {
    const page = await open('/grpc.html');
    const result = await page.evaluate(async () => {
      const h = new Headers({ sw8: 'forged', 'x-a': '1' });
      const init = { headers: h };
      await fetch('/echo/string', init);
      await fetch(new URL('/echo/url', location.href));
      await fetch(new Request('/echo/request', { headers: { sw8: 'forged' } }));
      await fetch('/echo/array', { headers: [['sw8', 'forged']] });
      await fetch('/echo/object', { method: 'POST', body: 'x', headers: { sw8: 'forged' } });
      await new Promise<void>((resolve) => {
        const x = new XMLHttpRequest();
        x.open('GET', '/echo/xhr');
        x.setRequestHeader('sw8', 'forged');
        x.onloadend = () => resolve();
        x.send();
      });
      const xhrIsNative = new XMLHttpRequest() instanceof XMLHttpRequest && typeof XMLHttpRequest.DONE === 'number';
      await (window as unknown as { SkyWalking: { flush(): Promise<void> } }).SkyWalking.flush();
      return { untouched: h.get('sw8') === 'forged' && init.headers === h, xhrIsNative };
    });
    expect(result).toEqual({ untouched: true, xhrIsNative: true });
    const paths = ['/echo/string', '/echo/url', '/echo/request', '/echo/array', '/echo/object', '/echo/xhr'];
    for (const p of paths) {
      const seen = appSeen.find((s) => s.path === p)!;
      expect(seen, p).toBeDefined();
      expect(seen.sw8, p).not.toContain('forged');
      const sw8 = decodeSw8(seen.sw8)!;
      expect(sw8, p).toMatchObject({ parentService: 'web', parentServiceInstance: '2.0', parentEndpoint: '/grpc.html', addressUsedAtClient: new URL(appUrl).host });
      const { s, span } = await eventually(() => exitFor('web', p));
      expect(sw8.traceId).toBe(s.traceId);
      expect(sw8.parentSegmentId).toBe(s.traceSegmentId);
      expect(span).toMatchObject({ spanType: 'Exit', componentId: 10001, spanLayer: 'Http', peer: sw8.addressUsedAtClient, operationName: '/grpc.html' });
    }
    await page.close();
  });

  it('sends sw8 to allow-listed origins only: other origins see no header and no preflight', async () => {
    const page = await open('/grpc.html');
    await page.evaluate(async (port) => {
      await fetch(`http://127.0.0.1:${port}/not-allowed`);
      await fetch(`http://localhost:${port}/allowed`);
    }, otherPort);
    const notAllowed = otherSeen.filter((s) => s.path === '/not-allowed');
    expect(notAllowed.map((s) => s.method)).toEqual(['GET']);
    expect(notAllowed[0]!.sw8).toBeUndefined();
    const allowed = otherSeen.filter((s) => s.path === '/allowed');
    expect(allowed.find((s) => s.method === 'GET')!.sw8).toBeDefined();
    // The other origin's requests are still traced, just not propagated.
    await page.evaluate(() => (window as unknown as { SkyWalking: { flush(): Promise<void> } }).SkyWalking.flush());
    const { span } = await eventually(() => exitFor('web', '/not-allowed'));
    expect(span.peer).toBe(`127.0.0.1:${otherPort}`);
    await page.close();
  });

  it('leaves streams intact and records network errors, aborts and 5xx as errors', async () => {
    const page = await open('/grpc.html');
    const out = await page.evaluate(async (closed) => {
      const res = await fetch('/stream');
      const reader = res.body!.getReader();
      let n = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        n += value.length;
      }
      const netErr = await fetch(`http://127.0.0.1:${closed}/down`).then(() => 'ok', (e) => e.name);
      const ac = new AbortController();
      const p = fetch('/slow', { signal: ac.signal }).then(() => 'ok', (e) => e.name);
      setTimeout(() => ac.abort(), 50);
      const aborted = await p;
      const status = (await fetch('/fail')).status;
      await (window as unknown as { SkyWalking: { flush(): Promise<void> } }).SkyWalking.flush();
      return { n, netErr, aborted, status };
    }, closedPort);
    expect(out).toEqual({ n: 2000, netErr: 'TypeError', aborted: 'AbortError', status: 500 });
    for (const p of ['/down', '/slow', '/fail']) {
      const { span } = await eventually(() => exitFor('web', p));
      expect(span.isError, p).toBe(true);
    }
    expect((await eventually(() => exitFor('web', '/stream'))).span.isError).toBe(false);
    await page.close();
  });
});

describe('HTTP protocol, page hide, worker', () => {
  it('reports JSON to /v3/segments with the field names OAP reads', async () => {
    const page = await open('/http.html');
    await page.evaluate(async () => {
      await fetch('/echo/json?token=abc&q=1');
      await (window as unknown as { SkyWalking: { flush(): Promise<void> } }).SkyWalking.flush();
    });
    const { span } = await eventually(() => exitFor('web-http', '/echo/json'));
    expect(span.tags).toContainEqual({ key: 'url', value: `${appUrl}/echo/json?token=***&q=1` });
    expect(span.tags).toContainEqual({ key: 'http.status_code', value: '200' });
    await page.close();
  });

  it('flushes what is queued when the page is hidden, with keepalive', async () => {
    const page = await browser.newPage();
    await page.addInitScript(recordFetch);
    await page.goto(appUrl + '/manual.html');
    await page.evaluate((collectorUrl) => {
      const w = window as unknown as { SkyWalking: { start(o: object): unknown } };
      w.SkyWalking.start({ service: 'hidden-page', serviceInstance: '1', collector: collectorUrl, flushIntervalMs: 600_000 });
      return fetch('/echo/before-hide');
    }, collector.httpUrl);
    await new Promise((r) => setTimeout(r, 300));
    expect(segmentsOf('hidden-page')).toHaveLength(0);
    await hidePage(page);
    await eventually(() => exitFor('hidden-page', '/echo/before-hide'));
    const reports = await fetchRecords(page, collector.httpUrl);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ keepalive: true });
    expect(reports[0]!.error).toBeUndefined();
    await page.close();
  });

  it('works in a Web Worker', async () => {
    const page = await open('/manual.html');
    const msg = await page.evaluate(() => new Promise((resolve) => (new Worker('/worker.js').onmessage = (e) => resolve(e.data))));
    expect(msg).toBe('done');
    const seen = appSeen.find((s) => s.path === '/echo/worker')!;
    expect(decodeSw8(seen.sw8)).toMatchObject({ parentService: 'worker' });
    await eventually(() => exitFor('worker', '/echo/worker'));
    await page.close();
  });

  it('restores fetch and XHR on shutdown', async () => {
    const page = await open('/manual.html');
    const restored = await page.evaluate(async () => {
      const w = window as unknown as { SkyWalking: { start(o: object): { shutdown(): Promise<void> } } };
      const f = window.fetch;
      const send = XMLHttpRequest.prototype.send;
      const agent = w.SkyWalking.start({ service: 'restore', serviceInstance: '1' });
      const patched = window.fetch !== f && XMLHttpRequest.prototype.send !== send;
      await agent.shutdown();
      return patched && window.fetch === f && XMLHttpRequest.prototype.send === send;
    });
    expect(restored).toBe(true);
    await page.close();
  });
});
