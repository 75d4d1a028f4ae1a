// The demo's scenario end to end: a click in Chromium → demo-api → demo-inventory, all
// reported to the local collector (the browser through the API's ingest handler).
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SegmentObject } from '../src/core/index.js';
import { eventually, launchChromium } from './chromium.js';
// @ts-expect-error plain JS module without types
import { startDemo } from '../demo/demo.mjs';

interface Demo {
  pageUrl: string;
  viewerUrl: string;
  inventoryUrl: string;
  collector: { store: { traces: Map<string, { segments: SegmentObject[] }> }; httpUrl: string };
  stop(): Promise<void>;
}

let demo: Demo;
let browser: Browser;

beforeAll(async () => {
  demo = (await startDemo({ port: 0, grpcPort: 0, httpPort: 0 })) as Demo;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

const bySvc = (segments: SegmentObject[], service: string) => segments.find((s) => s.service === service)!;

describe('demo: browser → Node → Node', () => {
  it('records one connected trace from a click to the last service', async () => {
    const page = await browser.newPage();
    await page.goto(demo.pageUrl);
    await page.click('#checkout');
    await page.waitForFunction(() => document.getElementById('out')!.textContent!.includes('"ordered": true'));

    const trace = await eventually(() =>
      [...demo.collector.store.traces.values()].find((t) => ['demo-web', 'demo-api', 'demo-inventory'].every((s) => t.segments.some((x) => x.service === s))),
    );
    const segs = trace.segments;
    expect(segs).toHaveLength(3);
    const web = bySvc(segs, 'demo-web');
    const api = bySvc(segs, 'demo-api');
    const inv = bySvc(segs, 'demo-inventory');
    const apiHost = new URL(demo.pageUrl).host;
    const invHost = new URL(demo.inventoryUrl).host;

    // Browser: one exit span, ajax component, peer = the API's host:port, named by the page.
    expect(web.serviceInstance).toBe('1.0.0');
    expect(web.spans).toHaveLength(1);
    const wExit = web.spans[0]!;
    expect(wExit).toMatchObject({ spanId: 0, parentSpanId: -1, spanType: 'Exit', spanLayer: 'Http', componentId: 10001, peer: apiHost, operationName: '/', isError: false });
    expect(wExit.tags).toContainEqual({ key: 'http.method', value: 'POST' });
    expect(wExit.tags).toContainEqual({ key: 'http.status_code', value: '200' });

    // API: entry (49) → local "checkout" → exit (2) to the inventory.
    const [aEntry, aLocal, aExit] = api.spans;
    expect(aEntry).toMatchObject({ spanType: 'Entry', componentId: 49, spanLayer: 'Http', operationName: 'POST:/api/checkout' });
    expect(aEntry!.refs).toEqual([
      {
        refType: 'CrossProcess',
        traceId: web.traceId,
        parentTraceSegmentId: web.traceSegmentId,
        parentSpanId: wExit.spanId,
        parentService: 'demo-web',
        parentServiceInstance: '1.0.0',
        parentEndpoint: '/',
        networkAddressUsedAtPeer: wExit.peer,
      },
    ]);
    expect(aLocal).toMatchObject({ spanType: 'Local', operationName: 'checkout', parentSpanId: 0 });
    expect(aExit).toMatchObject({ spanType: 'Exit', componentId: 2, spanLayer: 'Http', peer: invHost, parentSpanId: aLocal!.spanId });

    // Inventory (preloaded agent): its entry points at the API's exit span.
    const iEntry = inv.spans[0]!;
    expect(iEntry).toMatchObject({ spanType: 'Entry', componentId: 49, operationName: 'GET:/stock/sku-42' });
    expect(iEntry.refs[0]).toMatchObject({
      traceId: web.traceId,
      parentTraceSegmentId: api.traceSegmentId,
      parentSpanId: aExit!.spanId,
      parentService: 'demo-api',
      parentServiceInstance: 'demo-api-1',
      parentEndpoint: 'POST:/api/checkout',
      networkAddressUsedAtPeer: aExit!.peer,
    });
    for (const s of segs) expect(s.traceId).toBe(web.traceId);

    // The collector found nothing to complain about.
    const summary = await (await fetch(`${demo.collector.httpUrl}/api/traces`)).json();
    const mine = summary.find((t: { traceId: string }) => t.traceId === web.traceId);
    expect(mine.problems).toEqual([]);
    // The ingest traffic itself is not traced.
    for (const t of demo.collector.store.traces.values())
      for (const s of t.segments) expect(s.spans[0]!.operationName).not.toContain('collectInSync');

    // The viewer renders the trace; keep a screenshot as an artifact.
    await page.setViewportSize({ width: 1400, height: 820 });
    await page.goto(`${demo.viewerUrl}#${web.traceId}`);
    await page.waitForSelector('.grid .row:not(.head)');
    const text = await page.textContent('#main');
    for (const s of ['demo-web', 'demo-api', 'demo-inventory', 'GET:/stock/sku-42', 'checkout']) expect(text).toContain(s);
    expect(await page.locator('.grid .row:not(.head)').count()).toBe(5);
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/viewer.png' });
    await page.close();
  });

  it('marks a failing checkout as an error across services', async () => {
    const page = await browser.newPage();
    await page.goto(demo.pageUrl);
    await page.click('#missing');
    await page.waitForFunction(() => document.getElementById('out')!.textContent!.includes('"ordered": false'));
    const trace = await eventually(() =>
      [...demo.collector.store.traces.values()].find((t) => t.segments.length === 3 && t.segments.some((s) => s.spans.some((x) => x.operationName === 'GET:/stock/missing'))),
    );
    const inv = bySvc(trace.segments, 'demo-inventory');
    expect(inv.spans[0]).toMatchObject({ isError: true });
    expect(inv.spans[0]!.tags).toContainEqual({ key: 'http.status_code', value: '404' });
    expect(bySvc(trace.segments, 'demo-web').spans[0]).toMatchObject({ isError: true });
    await page.close();
  });
});
