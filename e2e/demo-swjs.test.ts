// The demo's chain with skywalking-backend-js in it: a click in Chromium → demo-api (this
// package) → demo-inventory (the official Node agent). One trace, refs intact.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SegmentObject } from '../src/core/index.js';
import { eventually, launchChromium } from './helpers/chromium.js';
import { requireBuild } from '../test/helpers/dist.js';
// @ts-expect-error plain JS module without types
import { startDemo } from '../demo/demo.mjs';

// The demo runs the built package (skywalking-tracing/node, /collector, the script tag).
requireBuild('dist/esm/node/index.js', 'dist/esm/collector/index.js', 'dist/skywalking-tracing.iife.min.js');

let demo: { pageUrl: string; collector: { store: { traces: Map<string, { segments: SegmentObject[] }> } }; stop(): Promise<void> };
let browser: Browser;

beforeAll(async () => {
  demo = await startDemo({ port: 0, grpcPort: 0, httpPort: 0, inventoryAgent: 'skywalking-backend-js' });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

it('keeps one trace from the browser through this agent into skywalking-backend-js', async () => {
  const page = await browser.newPage();
  await page.goto(demo.pageUrl);
  await page.click('#checkout');
  await page.waitForFunction(() => document.getElementById('out')!.textContent!.includes('"ordered": true'));
  const trace = await eventually(
    () => [...demo.collector.store.traces.values()].find((t) => ['demo-web', 'demo-api', 'demo-inventory'].every((s) => t.segments.some((x) => x.service === s))),
    20_000,
  );
  const api = trace.segments.find((s) => s.service === 'demo-api')!;
  const inv = trace.segments.find((s) => s.service === 'demo-inventory')!;
  const exit = api.spans.find((s) => s.spanType === 'Exit')!;
  expect(inv.spans[0]!.refs[0]).toMatchObject({
    refType: 'CrossProcess',
    traceId: api.traceId,
    parentTraceSegmentId: api.traceSegmentId,
    parentSpanId: exit.spanId,
    parentService: 'demo-api',
    networkAddressUsedAtPeer: exit.peer,
  });
  await page.close();
}, 40_000);
