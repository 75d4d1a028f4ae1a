import { BatchReporter } from '../core/batch-reporter.js';
import { diag } from '../core/diag.js';
import { encodeSegment } from '../core/encode/segment-codec.js';
import { ComponentId } from '../core/segment.js';
import { BaseTracer } from '../core/tracer.js';
import type { Reporter, Span, TracingContext } from '../core/index.js';
import { patchFetch } from './fetch.js';
import { GRPC_WEB_PATH, grpcWebTransport, HTTP_PATH, httpTransport, KEEPALIVE_BUDGET, keepaliveBytes, sizeOf } from './transport.js';
import { allowTest, peerOf, tagUrl, urlTest, type PropagateTo, type UrlRules } from './url.js';
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
  /**
   * Other origins that receive sw8 (they must allow the header in CORS): origins (any URL:
   * only its origin counts, so `https://API.example.com:443/v1` allows `https://api.example.com`),
   * RegExps tested against the whole URL, or a predicate. One string or RegExp may stand alone.
   */
  propagateTo?: PropagateTo;
  /** The browser endpoint name (sw8 field 7). Default `location.pathname` at each request (never the query), so SPA routes show. */
  pagePath?: string;
  /** Fraction of page requests traced, 0..1. Default 1. */
  sampleRate?: number;
  /** Requests whose URL contains the string, matches the RegExp or passes the predicate are not traced. One may stand alone. */
  ignore?: UrlRules;
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
  /** Starts the Exit span of a request (undefined: not traced). `method` as the caller gave it. */
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
 * agent. Throws only when `service` is missing (a setup error); unusable options are
 * reported through diagnostics and replaced by their defaults.
 */
export function start(options: BrowserAgentOptions): BrowserAgent {
  if (running) return running;
  if (!options?.service?.trim?.()) throw new TypeError('start() needs a service');
  const g = globalThis;
  const origin = g.location?.origin ?? 'http://localhost';
  const page = () => options.pagePath || g.location?.pathname || '/';
  let base = origin;
  try {
    base = new URL(options.collector || origin, origin).href.replace(/\/+$/, '');
  } catch {
    diag.warn('collector is not a URL; reporting to the page origin', options.collector);
  }
  const http = options.protocol === 'http';
  // The report endpoint. Never traced (with the default collector it is on the page's own origin).
  const self = base + (http ? HTTP_PATH : GRPC_WEB_PATH);
  const reporter: Reporter & Partial<Pick<BatchReporter<unknown>, 'drainFinal' | 'queue'>> =
    options.reporter ??
    new BatchReporter<never>({
      // fetch captured before patching: the agent's own reports are never traced. Without
      // fetch (very old browsers) sends fail and are counted; the agent itself still runs.
      transport: (http ? httpTransport : grpcWebTransport)(g.fetch?.bind(g), self),
      encode: (http ? JSON.stringify : encodeSegment) as never,
      // `+`: data-* attributes arrive as text; no or no numeric value takes the default.
      flushIntervalMs: +options.flushIntervalMs! || 3000,
      maxQueueSize: +options.maxQueueSize! || 500,
      maxQueueBytes: 2 << 20,
      // With framing, one batch fits the 64 KiB keepalive budget.
      maxBatchBytes: 60_000,
      sizeOf,
    });
  const tracer = new BaseTracer({
    service: options.service,
    serviceInstance: options.serviceInstance?.trim?.() || 'latest',
    reporter,
    // A ratio as a plain object: the sampler classes are not worth their bytes here.
    // No (or no numeric) rate samples everything: `x >= undefined` is false.
    sampler: { shouldSample: () => !(Math.random() >= (options.sampleRate as number)) },
  });
  const allowed = allowTest(origin, options.propagateTo);
  const ignore = urlTest(options.ignore, (t) => (u) => u.href.includes(t));
  // Spans made active by withSpan/runInSpan, innermost last.
  const stack: Span[] = [];

  // The innermost active span, or a new segment for the page.
  const current = (): [TracingContext, Span | null] => {
    const span = stack[stack.length - 1];
    const context = span && (span as unknown as { owner?: TracingContext }).owner;
    return context && !context.isFinished ? [context, span] : [tracer.createTracingContext({ endpoint: page() }), null];
  };

  const hooks: RequestHooks = {
    begin(method, url, setHeader) {
      if (url.origin + url.pathname === self || ignore(url)) return undefined;
      const [context, parent] = current();
      // In a user span, the request is named by its path; alone, by the page (as skywalking-client-js does).
      const span = context.createExitSpan(parent ? url.pathname : page(), parent, peerOf(url), allowed(url) ? { inject: setHeader } : null);
      span.setComponent(ComponentId.Ajax).setLayer('Http').tag('http.method', String(method).toUpperCase()).tag('url', tagUrl(url));
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

  const runIn = <T>(span: Span, fn: () => T): T => {
    stack.push(span);
    try {
      return fn();
    } finally {
      stack.pop();
    }
  };

  const flush = (timeoutMs?: number) => reporter.flush(timeoutMs).catch(() => {});
  // Hidden: a normal flush, one batch (at most ~61 KB) at a time, each with keepalive (the
  // transport decides), so the next goes only when the last settled; what is left stays
  // queued, with its retries. Leaving: what fits in the keepalive budget goes now; the
  // rest could only die with the page, so it is dropped and counted once.
  const leave = () => {
    const q = reporter.queue;
    if (q) {
      const fit = q.take(200, KEEPALIVE_BUDGET - 1024 - keepaliveBytes);
      if (q.length) {
        diag.warn(`page left: ${q.length} segments beyond the keepalive budget dropped`);
        q.drop(q.length);
        q.clear();
      }
      q.unshift(fit);
      reporter.drainFinal?.(KEEPALIVE_BUDGET);
    }
  };
  const undo: Array<() => void> = [];
  if (options.enabled !== false) {
    // Hidden: the user may come back, or never; pagehide: the page is going away. Both are
    // the last moments a page can still send. Not `beforeunload`, which breaks the
    // back/forward cache.
    const doc = g.document;
    // The controller doubles as the listener options ({ signal }): one abort removes both.
    const ac = new AbortController();
    try {
      doc.addEventListener('visibilitychange', () => doc.visibilityState === 'hidden' && flush(), ac);
      g.addEventListener('pagehide', leave, ac);
    } catch {
      // No document (a worker, server-side rendering) or a stand-in without events.
    }
    undo.push(patchFetch(hooks), patchXhr(hooks), () => ac.abort());
  }

  const agent: BrowserAgent = {
    tracer,
    reporter,
    flush,
    async shutdown(timeoutMs) {
      // A wrapper that stays in a chain (another library wrapped it since) passes through.
      hooks.begin = () => undefined;
      for (const u of undo.splice(0)) u();
      if (running === agent) running = undefined;
      await reporter.shutdown(timeoutMs).catch(() => {});
    },
    withSpan(operationName, fn) {
      const [context, parent] = current();
      const span = context.createLocalSpan(operationName, parent);
      return runIn(span, () => {
        let result;
        try {
          result = fn(span);
        } catch (err) {
          hooks.end(span, 0, err);
          throw err;
        }
        if (typeof (result as { then?: unknown })?.then === 'function')
          (result as unknown as Promise<unknown>).then(
            () => span.end(),
            (err: unknown) => hooks.end(span, 0, err),
          );
        else span.end();
        return result;
      });
    },
    // A span of no context (or a finished one) is pushed too: current() passes over it.
    runInSpan: runIn,
  };
  running = agent;
  return agent;
}
