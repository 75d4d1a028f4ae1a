// The demo's scenario end to end: a click in Chromium → demo-api → demo-inventory, all
// reported to the local collector (the browser through the API's ingest handler).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SegmentObject } from '../src/core/index.js';
import { eventually, launchChromium } from './helpers/chromium.js';
import { requireBuild } from '../test/helpers/dist.js';
// @ts-expect-error plain JS module without types
import { startDemo } from '../demo/demo.mjs';

// The demo runs the built package (skywalking-tracing/node, /collector, the script tag).
requireBuild('dist/esm/node/index.js', 'dist/esm/collector/index.js', 'dist/skywalking-tracing.iife.min.js');

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

// `npm run demo` as a user runs it: the real demo/run.mjs process, its signals and exit codes.
interface RunningDemo {
  proc: ChildProcess;
  out: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

const started: ChildProcess[] = [];

function runDemo(env: Record<string, string>): RunningDemo {
  const proc = spawn(process.execPath, ['demo/run.mjs'], { env: { ...process.env, DEMO_PORT: '0', COLLECTOR_GRPC_PORT: '0', COLLECTOR_HTTP_PORT: '0', ...env } });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  started.push(proc);
  return { proc, out: () => out, exit };
}

// A failed test must not leave a demo (and its services) running.
afterEach(() => {
  for (const proc of started.splice(0)) {
    if (proc.exitCode !== null || proc.signalCode !== null) continue;
    for (const pid of demoChildren(proc.pid!).values()) process.kill(pid, 'SIGKILL');
    proc.kill('SIGKILL');
  }
});

/** The demo's ports, read from what it printed. */
async function printedPorts(d: RunningDemo): Promise<number[]> {
  const text = await eventually(() => (/Ctrl-C to stop/.test(d.out()) ? d.out() : ''), 20_000);
  const page = /Open the shop:\s+http:\/\/127\.0\.0\.1:(\d+)\//.exec(text)![1]!;
  const viewer = /See the trace:\s+http:\/\/127\.0\.0\.1:(\d+)\//.exec(text)![1]!;
  const grpc = /collector gRPC:\s+127\.0\.0\.1:(\d+)/.exec(text)![1]!;
  const inventory = /inventory service:\s+http:\/\/127\.0\.0\.1:(\d+)\//.exec(text)![1]!;
  return [page, viewer, grpc, inventory].map(Number);
}

/** The demo's service processes (Linux /proc), by script name. */
function demoChildren(pid: number): Map<string, number> {
  const list = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return new Map(list.map((p) => [/(\w+)\.mjs/.exec(readFileSync(`/proc/${p}/cmdline`, 'utf8'))?.[1] ?? String(p), p]));
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function occupy(): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
}

describe.skipIf(!existsSync('/proc/self/task'))('npm run demo (demo/run.mjs)', () => {
  it('stops within seconds on Ctrl-C and frees every port', async () => {
    const d = runDemo({});
    const ports = await printedPorts(d);
    const kids = demoChildren(d.proc.pid!);
    expect([...kids.keys()].sort()).toEqual(['api', 'inventory']);
    const sent = Date.now();
    d.proc.kill('SIGINT');
    const { code, at } = await d.exit;
    expect(code).toBe(0);
    expect(at - sent).toBeLessThan(5000);
    for (const pid of kids.values()) expect(alive(pid), `child ${pid}`).toBe(false);
    for (const p of ports) expect(await canListen(p), `port ${p}`).toBe(true);
  }, 40_000);

  it('reports a service killed by a signal, stops with a non-zero code, and Ctrl-C still works', async () => {
    const d = runDemo({});
    const ports = await printedPorts(d);
    const kids = demoChildren(d.proc.pid!);
    const sent = Date.now();
    process.kill(kids.get('inventory')!, 'SIGKILL');
    // Ctrl-C right after: a child gone by a signal (exitCode null) must not make it wait forever.
    await new Promise((r) => setTimeout(r, 100));
    if (d.proc.exitCode === null) d.proc.kill('SIGINT');
    const { code, at } = await d.exit;
    expect(code).not.toBe(0);
    expect(at - sent).toBeLessThan(5000);
    expect(d.out()).toMatch(/demo: demo-inventory exited \(signal SIGKILL\); stopping the demo/);
    expect(alive(kids.get('api')!)).toBe(false);
    for (const p of ports) expect(await canListen(p), `port ${p}`).toBe(true);
  }, 40_000);

  it('stops with a non-zero code when a service dies while it runs', async () => {
    const d = runDemo({});
    const ports = await printedPorts(d);
    const kids = demoChildren(d.proc.pid!);
    process.kill(kids.get('api')!, 'SIGTERM');
    const { code } = await d.exit;
    expect(code).toBe(1);
    expect(d.out()).toMatch(/demo: demo-api exited \(signal SIGTERM\); stopping the demo\n/);
    expect(alive(kids.get('inventory')!)).toBe(false);
    for (const p of ports) expect(await canListen(p), `port ${p}`).toBe(true);
  }, 40_000);

  it('names a busy port and the variable that moves it, in one line, exit code 1', async () => {
    const busy = await occupy();
    const port = (busy.address() as AddressInfo).port;
    try {
      const cases: Array<[string, RegExp]> = [
        ['DEMO_PORT', new RegExp(`^demo: demo-api cannot listen: port ${port} is in use; set DEMO_PORT to another port \\(0 picks a free one\\), e\\.g\\. DEMO_PORT=${port + 1} npm run demo\\n$`)],
        ['COLLECTOR_GRPC_PORT', new RegExp(`^demo: collector gRPC: port ${port} is in use; set COLLECTOR_GRPC_PORT to another port`)],
        ['COLLECTOR_HTTP_PORT', new RegExp(`^demo: collector HTTP: port ${port} is in use; set COLLECTOR_HTTP_PORT to another port`)],
      ];
      for (const [name, line] of cases) {
        const d = runDemo({ [name]: String(port) });
        const { code } = await d.exit;
        expect(code, name).toBe(1);
        expect(d.out(), name).toMatch(line);
        expect(d.out().trim().split('\n'), name).toHaveLength(1);
      }
      const bad = runDemo({ DEMO_PORT: 'eighty' });
      expect((await bad.exit).code).toBe(2);
      expect(bad.out()).toBe('demo: DEMO_PORT=eighty is not a port number (0 picks a free port)\n');
    } finally {
      busy.close();
    }
  }, 60_000);
});
