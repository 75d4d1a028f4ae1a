// The script tag mangles internal property names (rollup.config.js INTERNAL_PROPS). This runs
// the built file and uses its public surface by name: a public name in that list (or one
// terser renames for another reason) breaks a read or a call here. Needs `npm run build`.
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';

type Any = Record<string, any>;

function load(): { sw: Any; calls: Array<{ url: string; init: Any }>; page: Any } {
  const calls: Array<{ url: string; init: Any }> = [];
  const fetch = async (url: string, init: Any) => {
    calls.push({ url: String(url), init });
    return new Response('{}');
  };
  const context = vm.createContext({ fetch, URL, Headers, Response, TextEncoder, TextDecoder, AbortController, AbortSignal, crypto, setTimeout, clearTimeout, console, Promise, Map, Set, WeakMap, Symbol, btoa });
  vm.runInContext(readFileSync('dist/skywalking-tracing.iife.min.js', 'utf8'), context);
  return { sw: context.SkyWalking, calls, page: context };
}

describe('script tag: public names survive mangling', () => {
  it('agent, tracer, context, span and the reported segment keep their documented names', async () => {
    const { sw, calls, page } = load();
    expect(Object.keys(sw).sort()).toEqual(['currentAgent', 'flush', 'monitor', 'start']);
    expect(sw.monitor.keys).toContain('webVitals');
    const segments: Any[] = [];
    const agent = sw.start({ service: 'web', serviceInstance: '1.0', propagateTo: 'api.example.com', reporter: { report: (s: Any) => segments.push(s), flush: async () => {}, shutdown: async () => {} } });
    expect(sw.currentAgent()).toBe(agent);
    for (const k of ['tracer', 'reporter', 'flush', 'shutdown', 'withSpan', 'runInSpan', 'reportError', 'setPagePath']) expect(agent).toHaveProperty(k);
    const tracer = agent.tracer;
    expect(tracer.service).toBe('web');
    expect(tracer.serviceInstance).toBe('1.0');
    expect(Object.keys(tracer.limits).sort()).toEqual(['maxLogValueLength', 'maxLogsPerSpan', 'maxOperationNameLength', 'maxSpansPerSegment', 'maxTagValueLength', 'maxTagsPerSpan']);
    expect(Object.keys(tracer.stats).sort()).toEqual(['droppedLogs', 'droppedSpans', 'droppedTags', 'reportedSegments', 'reporterErrors', 'truncatedValues', 'unsampledSegments']);

    // A user span around a request: the request (fetch with an init method) is its child and carries sw8.
    await agent.withSpan('checkout', (span: Any) => {
      expect(span.operationName).toBe('checkout');
      span.tag('k', 'v').log({ event: 'e' }).setComponent(10000).setLayer('Http');
      return page.fetch('https://api.example.com/cart?token=x', { method: 'post' });
    });
    expect(calls[0]!.init.headers.get('sw8')).toMatch(/^1-/);
    expect(segments).toHaveLength(1);
    const seg = segments[0]!;
    expect(Object.keys(seg).sort()).toEqual(['isSizeLimited', 'service', 'serviceInstance', 'spans', 'traceId', 'traceSegmentId']);
    const [local, exit] = seg.spans;
    expect(Object.keys(exit).sort()).toEqual(['componentId', 'endTime', 'isError', 'logs', 'operationName', 'parentSpanId', 'peer', 'refs', 'skipAnalysis', 'spanId', 'spanLayer', 'spanType', 'startTime', 'tags'].sort());
    expect(local).toMatchObject({ operationName: 'checkout', spanType: 'Local', componentId: 10000, tags: [{ key: 'k', value: 'v' }] });
    expect(exit).toMatchObject({ operationName: '/cart', spanType: 'Exit', parentSpanId: 0, peer: 'api.example.com:443', spanLayer: 'Http', componentId: 10001 });
    expect(exit.tags).toEqual([
      { key: 'http.method', value: 'POST' },
      { key: 'url', value: 'https://api.example.com/cart?token=***' },
      { key: 'http.status_code', value: '200' },
    ]);

    // The context and span API by hand.
    const ctx = tracer.createTracingContext();
    for (const k of ['traceId', 'segmentId', 'isSampled', 'isFinished', 'limits']) expect(ctx).toHaveProperty(k);
    const exitSpan = ctx.createExitSpan('/x', null, 'h:1', { inject: () => {} });
    for (const k of ['spanId', 'parentSpanId', 'type', 'startTime', 'endTime', 'operationName', 'peer', 'layer', 'componentId', 'isError', 'isRecording', 'ended'])
      expect(exitSpan).toHaveProperty(k);
    expect(ctx.activeSpan()).toBe(exitSpan);
    exitSpan.error(new Error('boom')).setOperationName('/y');
    exitSpan.end();
    expect(ctx.isFinished).toBe(true);
    expect(segments[1].spans[0]).toMatchObject({ operationName: '/y', isError: true, peer: 'h:1' });
    await agent.shutdown(100);
  });

  it('the page reporter keeps its stats names', async () => {
    const { sw } = load();
    const agent = sw.start({ service: 'web', protocol: 'http', flushIntervalMs: 60_000 });
    agent.tracer.createTracingContext().createLocalSpan('a').end();
    expect(agent.reporter.stats).toEqual({ sent: 0, dropped: 0, failedSends: 0, queued: 1 });
    await agent.flush(1000);
    expect(agent.reporter.stats).toMatchObject({ sent: 1, queued: 0 });
    await agent.shutdown(100);
  });
});
