import { BatchReporter } from '../core/batch-reporter.js';
import { encodeSegment } from '../core/encode/segment-codec.js';
import { ComponentId } from '../core/segment.js';
import { BaseTracer } from '../core/tracer.js';
import type { Reporter, Span, TracingContext } from '../core/index.js';
import { patchFetch } from './fetch.js';
import { listenForPageHide } from './lifecycle.js';
import { GRPC_WEB_PATH, grpcWebTransport, HTTP_PATH, httpTransport } from './transport.js';
import { allowTest, peerOf, tagUrl, type PropagateTo } from './url.js';
import { patchXhr } from './xhr.js';

/** Options of the browser {@link start}. */
export interface BrowserAgentOptions {
  /** Service name of the web app. Required. */
  service: string;
  /** The app's version: OAP's service instance. Default `latest` (sw8 needs a non-empty value). */
  serviceInstance?: string;
  /** Where reports go: a URL or a same-origin path such as `/skywalking`. Default: the page's origin. */
  collector?: string;
  /** `grpc-web` (default: `collectInSync` through a gRPC-web proxy or the ingest handler) or `http` (OAP's `/v3/segments`). */
  protocol?: 'grpc-web' | 'http';
  /** Other origins that receive sw8 (they must allow the header in CORS): origins, RegExps or a predicate. */
  propagateTo?: PropagateTo;
  /** The browser endpoint name (sw8 field 7). Default `location.pathname` at each request (never the query), so SPA routes show. */
  pagePath?: string;
  /** Fraction of page requests traced, 0..1. Default 1. */
  sampleRate?: number;
  /** Requests whose URL matches are not traced. */
  ignore?: Array<string | RegExp>;
  /** Batch delay, ms. Default 3000. */
  flushIntervalMs?: number;
  /** Most segments queued (also at most 2 MiB encoded). Default 500. */
  maxQueueSize?: number;
  /** false disables the agent. Default true. */
  enabled?: boolean;
  /** Reporter override (e.g. an InMemoryReporter in tests). */
  reporter?: Reporter;
}

/** The running browser agent. */
export interface BrowserAgent {
  readonly tracer: BaseTracer;
  readonly reporter: Reporter;
  /** Sends queued segments now. Never rejects. */
  flush(timeoutMs?: number): Promise<void>;
  /** Restores fetch and XHR, removes listeners, flushes. Never rejects. */
  shutdown(timeoutMs?: number): Promise<void>;
  /** Runs `fn` in a new Local span; requests it starts synchronously are the span's children. */
  withSpan<T>(operationName: string, fn: (span: Span) => T): T;
  /** Runs `fn` with `span` active, so the requests it starts synchronously are its children. */
  runInSpan<T>(span: Span, fn: () => T): T;
}

/** What fetch and XHR instrumentation need from the agent. Internal: not part of the stable API. */
export interface RequestHooks {
  begin(method: string, url: URL, setHeader: (key: string, value: string) => void): Span | undefined;
  end(span: Span, status: number, error?: unknown): void;
}

let running: BrowserAgent | undefined;

/** The running agent, if started. */
export function currentAgent(): BrowserAgent | undefined {
  return running;
}

/**
 * Starts tracing the page's fetch and XHR calls. Calling it again returns the running
 * agent. Throws only when `service` is missing (a setup error).
 */
export function start(options: BrowserAgentOptions): BrowserAgent {
  if (running) return running;
  if (!options?.service) throw new TypeError('start() needs a service');
  const loc = globalThis.location;
  const origin = loc?.origin ?? 'http://localhost';
  const page = () => options.pagePath || globalThis.location?.pathname || '/';
  const base = new URL(options.collector || origin, origin).href.replace(/\/+$/, '');
  // Captured before patching: the agent's own reports are never traced.
  const nativeFetch = globalThis.fetch.bind(globalThis);
  const http = options.protocol === 'http';
  // The report endpoint itself is never traced (with the default collector it is on the page's own origin).
  const self = base + (http ? HTTP_PATH : GRPC_WEB_PATH);
  const reporter: Reporter & { drainFinal?(n: number): void } =
    options.reporter ??
    (http
      ? new BatchReporter<string>({ transport: httpTransport(nativeFetch, base), encode: (s) => JSON.stringify(s), ...queue(options) })
      : new BatchReporter<Uint8Array>({ transport: grpcWebTransport(nativeFetch, base), encode: encodeSegment, ...queue(options) }));
  const tracer = new BaseTracer({
    service: options.service,
    serviceInstance: options.serviceInstance || 'latest',
    reporter,
    // A ratio as a plain object: the sampler classes are not worth their bytes here.
    sampler: options.sampleRate !== undefined ? { shouldSample: () => Math.random() < (options.sampleRate as number) } : undefined,
  });
  const allowed = allowTest(origin, options.propagateTo);
  const ignore = options.ignore ?? [];
  const stack: Array<{ context: TracingContext; span: Span }> = [];
  const contextOf = (span: Span) => (span as unknown as { owner?: TracingContext }).owner;

  // The innermost span of withSpan/runInSpan, or a new segment for the page.
  const current = (): [TracingContext, Span | null] => {
    const top = stack[stack.length - 1];
    return top && !top.context.isFinished ? [top.context, top.span] : [tracer.createTracingContext({ endpoint: page() }), null];
  };

  const hooks: RequestHooks = {
    begin(method, url, setHeader) {
      if (url.origin + url.pathname === self || ignore.some((p) => (typeof p === 'string' ? url.href.includes(p) : p.test(url.href)))) return undefined;
      const [context, parent] = current();
      // In a user span, the request is named by its path; alone, by the page (as skywalking-client-js does).
      const span = context.createExitSpan(parent ? url.pathname : page(), parent, peerOf(url), allowed(url) ? { inject: setHeader } : null);
      span.setComponent(ComponentId.Ajax).setLayer('Http').tag('http.method', method).tag('url', tagUrl(url));
      return span;
    },
    end(span, status, error) {
      try {
        if (status) span.tag('http.status_code', String(status));
        if (error !== undefined || status >= 400) span.error(error);
        span.end();
      } catch {
        // Never reaches the page: this runs in the page's own promise chains.
      }
    },
  };

  const runIn = <T>(context: TracingContext, span: Span, fn: () => T): T => {
    stack.push({ context, span });
    try {
      return fn();
    } finally {
      stack.pop();
    }
  };

  const undo = options.enabled === false ? [] : [patchFetch(hooks), patchXhr(hooks), listenForPageHide(() => reporter.drainFinal?.(60_000))];

  const agent: BrowserAgent = {
    tracer,
    reporter,
    flush: (timeoutMs) => reporter.flush(timeoutMs).catch(() => {}),
    async shutdown(timeoutMs) {
      for (const u of undo.splice(0)) u();
      if (running === agent) running = undefined;
      await reporter.shutdown(timeoutMs).catch(() => {});
    },
    withSpan(operationName, fn) {
      const [context, parent] = current();
      const span = context.createLocalSpan(operationName, parent);
      return runIn(context, span, () => {
        let result;
        try {
          result = fn(span);
        } catch (err) {
          hooks.end(span, 0, err);
          throw err;
        }
        if (result && typeof (result as { then?: unknown }).then === 'function') {
          (result as unknown as Promise<unknown>).then(
            () => span.end(),
            (err: unknown) => hooks.end(span, 0, err),
          );
        } else span.end();
        return result;
      });
    },
    runInSpan(span, fn) {
      const context = contextOf(span);
      return context ? runIn(context, span, fn) : fn();
    },
  };
  running = agent;
  return agent;
}

// Both encodings measure by length: protobuf bytes, or JSON characters (close enough to bytes for a bound).
function queue(o: BrowserAgentOptions) {
  return { flushIntervalMs: o.flushIntervalMs ?? 3000, maxQueueSize: o.maxQueueSize ?? 500, maxQueueBytes: 2 << 20, maxBatchBytes: 60_000, sizeOf: (x: { length: number }) => x.length };
}
