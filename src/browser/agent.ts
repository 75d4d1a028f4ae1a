// The browser agent's lifecycle: start() wires options, reporter, tracer and instrumentation
// together, all or nothing; shutdown() undoes it.
import { diag } from '../core/diag.js';
import { Patches } from '../core/patch.js';
import { compilePropagateTo, compileUrlRules } from '../core/propagate-to.js';
import type { Reporter } from '../core/reporter.js';
import type { Span } from '../core/span.js';
import { patchFetch } from './fetch.js';
import { PageTracer } from './page-tracer.js';
import { checkOptions, type BrowserAgentOptions } from './options.js';
import { pageReporter } from './reporting.js';
import { requestHooks } from './request-hooks.js';
import { spanScope } from './span-scope.js';
import { GRPC_WEB_PATH, HTTP_PATH } from './transport.js';
import type { MonitorContext } from './monitor/types.js';
import { patchXhr } from './xhr.js';

/** The running browser agent. */
export interface BrowserAgent {
  /** Its contexts record Exit and Local spans (a page receives no requests). */
  readonly tracer: PageTracer;
  readonly reporter: Reporter;
  /** Sends queued segments now. Never rejects. */
  flush(timeoutMs?: number): Promise<void>;
  /** Restores fetch and XHR, removes listeners, flushes. Never rejects. */
  shutdown(timeoutMs?: number): Promise<void>;
  /** Runs `fn` in a new Local span; requests it starts synchronously are the span's children. */
  withSpan<T>(operationName: string, fn: (span: Span) => T): T;
  /** Runs `fn` with `span` active, so the requests it starts synchronously are its children. */
  runInSpan<T>(span: Span, fn: () => T): T;
  /**
   * Reports an error caught by a framework handler (Vue `app.config.errorHandler`, a React
   * error boundary, Angular's `ErrorHandler`) as a `BrowserErrorLog`. Needs the `monitor` option. Never throws.
   */
  reportError(err: unknown, options?: { category?: 'js' | 'vue' | 'promise' | 'ajax' | 'resource' }): void;
  /** Names the page (spans, errors, page views) until the next route change; with SPA routes on, a new name is a route page view. */
  setPagePath(path: string): void;
}

let running: BrowserAgent | undefined;

/** The running agent, if started. */
export function currentAgent(): BrowserAgent | undefined {
  return running;
}

/**
 * Starts tracing the page's fetch and XHR calls. Calling it again returns the running
 * agent. Throws only when `service` is missing (a setup error); every other configuration
 * mistake is named once through `console.warn` (diag.config) and replaced by its default.
 * Instrumentation is all or nothing: if patching fails part-way, what was patched is put
 * back and the agent runs untraced; a global that cannot be patched (locked) stays
 * untraced, with a diagnostic, and the rest works.
 */
export function start(options: BrowserAgentOptions): BrowserAgent {
  if (running) return running;
  if (!options?.service?.trim?.()) throw new TypeError('start() needs a service');
  checkOptions(options);
  const g = globalThis;
  const origin = g.location?.origin ?? 'http://localhost';
  // A name from setPagePath or a hash route wins over the option and the location.
  let named: string | undefined;
  const page = () => named || options.pagePath || g.location?.pathname || '/';
  let base = origin;
  try {
    base = new URL(options.collector || origin, origin).href.replace(/\/+$/, '');
  } catch {
    diag.config(`collector ${options.collector} is not a URL; using the page origin`);
  }
  const http = options.protocol === 'http';
  // The report endpoint. Never traced (with the default collector it is on the page's own origin).
  const self = base + (http ? HTTP_PATH : GRPC_WEB_PATH);
  const reporter = pageReporter(options, http, self);
  // No (or no numeric) sampleRate samples everything.
  const tracer = new PageTracer(options.service, options.serviceInstance?.trim?.() || 'latest', reporter, options.sampleRate);
  // The page's own origin always receives sw8; propagateTo adds others.
  const allowed = compilePropagateTo(([origin] as unknown[]).concat(options.propagateTo ?? []), diag.config)!;
  const ignore = compileUrlRules(options.ignore, 'ignore', (t) => (u) => u.href.includes(t), diag.config);
  const scope = spanScope(tracer, page);
  const hooks = requestHooks({ scope, page, allowed, skip: (u) => u.origin + u.pathname === self || ignore(u) });
  const flush = (timeoutMs?: number) => reporter.flush(timeoutMs).catch(() => {});
  const patches = new Patches();
  // The controller doubles as the listener options ({ signal }): one abort removes every listener.
  const ac = new AbortController();
  const monitoring: MonitorContext = { opts: options, base, rawFetch: g.fetch?.bind(g), hooks, patches, pathNow: page, rename: (p) => (named = p) };
  let stopMonitor: (() => void) | undefined;
  const undo = () => {
    stopMonitor?.();
    patches.restore();
    ac.abort();
  };
  if (options.enabled !== false) {
    // Hidden: the user may come back, or never; pagehide: the page is going away. Both are
    // the last moments a page can still send. Not `beforeunload`, which breaks the
    // back/forward cache.
    const doc = g.document;
    try {
      // Before the agent's patches: it sends with the page's fetch as it was.
      stopMonitor = options.monitor?.(monitoring);
    } catch (err) {
      diag.config('monitoring could not start', err);
    }
    try {
      // Monitoring queues its last records first, then everything goes.
      doc.addEventListener('visibilitychange', () => {
        if (doc.visibilityState === 'hidden') {
          monitoring.hide?.(false);
          void flush();
        }
      }, ac);
      g.addEventListener('pagehide', () => {
        monitoring.hide?.(true);
        reporter.leave?.();
      }, ac);
    } catch {
      // No document (a worker, server-side rendering) or a stand-in without events.
    }
    try {
      patchFetch(hooks, patches);
      patchXhr(hooks, patches, ac.signal);
    } catch (err) {
      // All or nothing: a half-instrumented page is harder to reason about than none.
      undo();
      diag.config('could not instrument fetch/XHR', err);
    }
  }

  const agent: BrowserAgent = {
    tracer,
    reporter,
    flush,
    async shutdown(timeoutMs) {
      // Wrappers that stay in a chain (another library wrapped them since) pass through.
      undo();
      if (running === agent) running = undefined;
      await reporter.shutdown(timeoutMs).catch(() => {});
    },
    withSpan: scope.withSpan,
    runInSpan: scope.runIn,
    reportError: (err, o) => monitoring.caught?.(err, o?.category),
    setPagePath(path) {
      named = path;
      monitoring.renamed?.();
    },
  };
  running = agent;
  return agent;
}
