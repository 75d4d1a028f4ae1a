// The browser agent's logic in Node with a stubbed fetch and location: segments, parents,
// propagation rules, ignore rules, sampling, start/shutdown. Real-browser behaviour
// (XHR, page lifecycle, workers, the script tag) is in e2e/browser.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InMemoryReporter, decodeSw8 } from '../../src/core/index.js';
import { currentAgent, start, type BrowserAgent } from '../../src/browser/index.js';

type Call = { url: string; headers: Headers };
let calls: Call[];
let stubFetch: typeof fetch;
let agent: BrowserAgent | undefined;
let reporter: InMemoryReporter;
const g = globalThis as { location?: unknown; fetch: typeof fetch };

beforeEach(() => {
  calls = [];
  stubFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    // Node has no page to resolve relative URLs against; the browser would use the base URL.
    const base = (globalThis as { document?: { baseURI: string } }).document?.baseURI ?? String(g.location);
    const req = input instanceof Request ? new Request(input, init) : new Request(new URL(String(input), base), init);
    calls.push({ url: req.url, headers: req.headers });
    return new Response('ok', { status: req.url.includes('/missing') ? 404 : 200 });
  }) as typeof fetch;
  g.fetch = stubFetch;
  g.location = new URL('https://app.example/shop/cart?session=secret');
  reporter = new InMemoryReporter();
});

afterEach(async () => {
  await agent?.shutdown(10);
  agent = undefined;
  delete g.location;
});

const sw8Of = (path: string) => decodeSw8(calls.find((c) => new URL(c.url).pathname === path)?.headers.get('sw8') ?? undefined);
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('browser agent (logic, stubbed fetch)', () => {
  it('start patches fetch, starting twice returns the running agent, shutdown restores', async () => {
    expect(g.fetch).toBe(stubFetch);
    expect(currentAgent()).toBeUndefined();
    agent = start({ service: 'web', reporter });
    expect(g.fetch).not.toBe(stubFetch);
    expect(start({ service: 'other', reporter })).toBe(agent);
    expect(currentAgent()).toBe(agent);
    await agent.shutdown(10);
    expect(g.fetch).toBe(stubFetch);
    expect(currentAgent()).toBeUndefined();
  });

  it('takes numeric options given as text, as the script tag passes data-* attributes', async () => {
    // A queue of 2 (flushing only on demand): the third and fourth segments are dropped.
    agent = start({ service: 'web', maxQueueSize: '2', flushIntervalMs: '600000' } as never);
    for (let i = 0; i < 4; i++) await fetch('/text-option-' + i);
    const stats = (agent.reporter as unknown as { stats: { queued: number; dropped: number } }).stats;
    expect(stats).toMatchObject({ queued: 2, dropped: 2 });
  });

  it('start() throws only for a missing service; other bad options fall back to defaults', async () => {
    for (const bad of [undefined, {}, { service: '' }, { service: '  ' }, { service: 42 }]) expect(() => start(bad as never)).toThrow(TypeError);
    expect(currentAgent()).toBeUndefined();
    // A collector that is no URL: reports go to the page origin.
    agent = start({ service: 'web', serviceInstance: '  ', collector: 'http://[bad', propagateTo: 'nonsense' as never, ignore: 'nothing-matches' });
    await fetch('/after-bad-options');
    await agent.flush(1000);
    const report = calls.find((c) => c.url === 'https://app.example/skywalking.v3.TraceSegmentReportService/collectInSync');
    expect(report).toBeDefined();
    expect(sw8Of('/after-bad-options')).toMatchObject({ parentService: 'web', parentServiceInstance: 'latest' });
    await agent.shutdown(10);
    // No fetch at all: start() works, and defines none (feature checks keep working).
    delete (g as { fetch?: unknown }).fetch;
    agent = start({ service: 'web' });
    expect('fetch' in g).toBe(false);
    await agent.shutdown(10);
    expect('fetch' in g).toBe(false);
  });

  it('shutdown under another library\'s wrapper: the library keeps its patch, ours passes through, a new agent\'s sw8 survives', async () => {
    agent = start({ service: 'first', reporter });
    const ours = g.fetch;
    const lib = (input: RequestInfo | URL, init?: RequestInit) => ours(input, init);
    g.fetch = lib as typeof fetch;
    await agent.shutdown(10);
    expect(g.fetch).toBe(lib);
    await fetch('/after-shutdown');
    expect(calls.find((c) => c.url.endsWith('/after-shutdown'))!.headers.has('sw8')).toBe(false);
    agent = start({ service: 'second', reporter });
    await fetch('/second');
    expect(sw8Of('/second')?.parentService).toBe('second');
    await agent.shutdown(10);
    expect(g.fetch).toBe(lib);
  });

  it('relative URLs resolve against the document base URL: a <base> on another origin gets no sw8', async () => {
    const gd = globalThis as { document?: unknown };
    gd.document = { baseURI: 'https://cdn.example/assets/' };
    try {
      agent = start({ service: 'web', reporter });
      await fetch('items', { method: 'POST' });
      await tick();
      expect(calls.at(-1)!.headers.has('sw8')).toBe(false);
      const span = reporter.segments[0]!.spans[0]!;
      expect(span.peer).toBe('cdn.example:443');
      expect(span.tags).toContainEqual({ key: 'url', value: 'https://cdn.example/assets/items' });
    } finally {
      delete gd.document;
    }
  });

  it('a request with no active span is its own segment: one Exit span named after the page path, never the query', async () => {
    agent = start({ service: 'web', serviceInstance: '1.2.3', reporter });
    await fetch('/api/items?token=abc&q=1');
    await tick();
    expect(reporter.segments).toHaveLength(1);
    const [span] = reporter.segments[0]!.spans;
    expect(span).toMatchObject({ spanId: 0, parentSpanId: -1, spanType: 'Exit', spanLayer: 'Http', componentId: 10001, operationName: '/shop/cart', peer: 'app.example:443' });
    expect(span!.tags).toEqual([
      { key: 'http.method', value: 'GET' },
      { key: 'url', value: 'https://app.example/api/items?token=***&q=1' },
      { key: 'http.status_code', value: '200' },
    ]);
    expect(sw8Of('/api/items')).toMatchObject({ parentService: 'web', parentServiceInstance: '1.2.3', parentEndpoint: '/shop/cart', addressUsedAtClient: 'app.example:443', parentSpanId: 0 });
  });

  it('follows SPA route changes in the page path, and an explicit pagePath wins', async () => {
    agent = start({ service: 'web', reporter });
    g.location = new URL('https://app.example/orders/7');
    await fetch('/api/a');
    expect(sw8Of('/api/a')?.parentEndpoint).toBe('/orders/7');
    await agent.shutdown(10);
    agent = start({ service: 'web', reporter, pagePath: '/fixed' });
    await fetch('/api/b');
    expect(sw8Of('/api/b')?.parentEndpoint).toBe('/fixed');
  });

  it('withSpan: requests started synchronously inside are children of one Local span in one segment', async () => {
    agent = start({ service: 'web', reporter });
    let later: Promise<unknown> | undefined;
    const value = agent.withSpan('checkout', (span) => {
      const a = fetch('/api/cart');
      const b = fetch('https://api.example/pay');
      // Passing the span explicitly keeps work after an await in the same segment.
      later = a.then(() => agent!.runInSpan(span, () => fetch('/api/receipt')));
      return b.then(() => 42);
    });
    expect(await value).toBe(42);
    await later;
    await tick();
    expect(reporter.segments).toHaveLength(1);
    const spans = reporter.segments[0]!.spans;
    expect(spans.map((s) => [s.spanType, s.operationName, s.parentSpanId])).toEqual([
      ['Local', 'checkout', -1],
      ['Exit', '/api/cart', 0],
      ['Exit', '/pay', 0],
      ['Exit', '/api/receipt', 0],
    ]);
    const cart = sw8Of('/api/cart')!;
    expect(cart.parentSegmentId).toBe(reporter.segments[0]!.traceSegmentId);
    expect(cart.parentSpanId).toBe(1);
    expect(cart.parentEndpoint).toBe('/shop/cart');
    // Another origin, not allow-listed: traced but no header.
    expect(sw8Of('/pay')).toBeUndefined();
  });

  it('withSpan marks the span as failed when fn throws or its promise rejects, and rethrows', async () => {
    agent = start({ service: 'web', reporter });
    expect(() => agent!.withSpan('sync', () => { throw new Error('boom'); })).toThrow('boom');
    await expect(agent.withSpan('async', async () => { throw new Error('late'); })).rejects.toThrow('late');
    await tick();
    expect(reporter.segments.map((s) => [s.spans[0]!.operationName, s.spans[0]!.isError])).toEqual([
      ['sync', true],
      ['async', true],
    ]);
  });

  it('propagateTo: origins, RegExps or a predicate; the page origin always', async () => {
    agent = start({ service: 'web', reporter, propagateTo: ['https://api.example/', /\.internal\.example$/, ] });
    await fetch('https://api.example/a');
    await fetch('https://api.example:8443/b');
    await fetch('https://x.internal.example/c');
    await fetch('https://evil.example/d');
    expect([!!sw8Of('/a'), !!sw8Of('/b'), !!sw8Of('/c'), !!sw8Of('/d')]).toEqual([true, false, false, false]);
    await agent.shutdown(10);
    calls = [];
    agent = start({ service: 'web', reporter, propagateTo: (u) => u.hostname.endsWith('.internal.example') });
    await fetch('https://x.internal.example/c');
    await fetch('/same');
    await fetch('https://evil.example/d');
    expect([!!sw8Of('/c'), !!sw8Of('/same'), !!sw8Of('/d')]).toEqual([true, true, false]);
  });

  it('ignore rules, sampling off, enabled false and the collector itself are not traced', async () => {
    agent = start({ service: 'web', reporter, ignore: ['/health', /\.png$/], collector: '/skywalking' });
    await fetch('/health/live');
    await fetch('/logo.png');
    await fetch('/skywalking/skywalking.v3.TraceSegmentReportService/collectInSync');
    await fetch('/missing');
    await tick();
    expect(calls.filter((c) => c.headers.has('sw8')).map((c) => new URL(c.url).pathname)).toEqual(['/missing']);
    expect(reporter.segments).toHaveLength(1);
    expect(reporter.segments[0]!.spans[0]).toMatchObject({ isError: true, tags: expect.arrayContaining([{ key: 'http.status_code', value: '404' }]) });
    await agent.shutdown(10);

    agent = start({ service: 'web', reporter, sampleRate: 0 });
    await fetch('/unsampled');
    await tick();
    expect(reporter.segments).toHaveLength(1);
    // Not sampled: still propagated, with the sample flag 0, so the backend can follow the decision.
    expect(sw8Of('/unsampled')?.sampled).toBe(false);
    await agent.shutdown(10);

    agent = start({ service: 'web', reporter, enabled: false });
    expect(g.fetch).toBe(stubFetch);
  });

  it('copies headers, never mutates the caller\'s init, Headers or Request, and replaces a caller sw8', async () => {
    agent = start({ service: 'web', reporter });
    const headers = new Headers({ sw8: 'forged', 'x-a': '1' });
    const init = { method: 'post', headers };
    await fetch('/h', init);
    expect(init).toEqual({ method: 'post', headers });
    expect(headers.get('sw8')).toBe('forged');
    const req = new Request('https://app.example/r', { headers: { sw8: 'forged' } });
    await fetch(req);
    expect(req.headers.get('sw8')).toBe('forged');
    await fetch('/arr', { headers: [['sw8', 'forged'], ['x-b', '2']] });
    for (const p of ['/h', '/r', '/arr']) expect(decodeSw8(calls.find((c) => c.url.endsWith(p))!.headers.get('sw8')!), p).toBeDefined();
    expect(calls.find((c) => c.url.endsWith('/arr'))!.headers.get('x-b')).toBe('2');
    await tick();
    expect(reporter.segments[0]!.spans[0]!.tags[0]).toEqual({ key: 'http.method', value: 'POST' });
  });

  it('a failing fetch rejects to the caller as before and its span records the error', async () => {
    const err = new TypeError('Failed to fetch');
    g.fetch = (async () => Promise.reject(err)) as typeof fetch;
    agent = start({ service: 'web', reporter });
    await expect(fetch('/down')).rejects.toBe(err);
    await tick();
    const span = reporter.segments[0]!.spans[0]!;
    expect(span.isError).toBe(true);
    expect(span.logs[0]!.data).toContainEqual({ key: 'message', value: 'Failed to fetch' });
  });
});
