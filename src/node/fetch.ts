import dc from 'node:diagnostics_channel';
import { ComponentId, diag } from '../core/index.js';
import { tagHttpStatus } from '../core/http-status.js';
import { PROPAGATION_HEADERS } from '../core/sw8.js';
import type { Span, Tracer } from '../core/index.js';
import { contextFor, parentIn, traceStorage } from './context.js';
import { pathOf, redactUrl } from '../core/redact.js';
import { propagateToAll, type ResolvedOptions } from './options.js';
import { applyRoute } from './routes.js';
import { hostPort } from './targets.js';
import { isSuppressed } from './suppress.js';

// The shape of undici's request object in its diagnostics messages (Node 20: undici 6).
interface UndiciRequest {
  origin: string | URL;
  method: string;
  path: string;
  headers: string[] | string;
  addHeader(name: string, value: string): unknown;
}


/**
 * Traces Node's global `fetch` through undici's diagnostics channels: no monkey-patching,
 * nothing to conflict with other instrumentations. Returns the function that unsubscribes.
 */
export function instrumentFetch(tracer: Tracer, options: ResolvedOptions): () => void {
  // The exit span rides on undici's request object (a symbol property per instrumentation),
  // not in a WeakMap keyed by it: V8's scavenger keeps a WeakMap's values alive while their
  // keys are young, so every request would survive the young generation and grow it.
  const SPAN = Symbol('skywalking-tracing.fetch-span');
  type WithSpan = UndiciRequest & { [SPAN]?: Span };

  const onCreate = (message: unknown) => {
    const request = (message as { request: UndiciRequest }).request;
    const store = traceStorage.getStore();
    if (isSuppressed() || (!store && !options.traceWithoutParent)) return;
    try {
      const origin = new URL(String(request.origin));
      const port = origin.port || (origin.protocol === 'https:' ? '443' : '80');
      const peer = hostPort(origin.hostname.replace(/^\[|\]$/g, ''), port);
      const context = contextFor(tracer, store);
      const parent = parentIn(context, store);
      // The URL for the propagateTo check is built only when the user gave one.
      const injectable = options.propagateTo === propagateToAll || options.propagateTo(new URL(request.path, origin)) ? new RequestSink(request) : undefined;
      if (injectable) {
        removePropagation(request);
        applyRoute(context);
      }
      const span = context.createExitSpan(pathOf(request.path) || '/', parent, peer, injectable);
      span.setComponent(ComponentId.HttpClient).setLayer('Http');
      span.tag('http.method', request.method);
      span.tag('url', redactUrl(`${origin.protocol}//${peer}`, request.path));
      (request as WithSpan)[SPAN] = span;
    } catch (err) {
      diag.once('error', 'fetch-start', 'tracing a fetch failed; sent untraced', err);
    }
  };
  const onHeaders = (message: unknown) => {
    const { request, response } = message as { request: UndiciRequest; response: { statusCode: number } };
    const span = (request as WithSpan)[SPAN];
    if (!span) return;
    (request as WithSpan)[SPAN] = undefined;
    tagHttpStatus(span, response.statusCode, options.errorStatusThreshold);
    span.end();
  };
  const onError = (message: unknown) => {
    const { request, error } = message as { request: UndiciRequest; error: unknown };
    const span = (request as WithSpan)[SPAN];
    if (!span) return;
    (request as WithSpan)[SPAN] = undefined;
    span.error(error);
    span.end();
  };

  const subscriptions: Array<[string, (m: unknown) => void]> = [
    ['undici:request:create', onCreate],
    ['undici:request:headers', onHeaders],
    ['undici:request:error', onError],
  ];
  for (const [name, fn] of subscriptions) dc.subscribe(name, fn);
  return () => {
    for (const [name, fn] of subscriptions) dc.unsubscribe(name, fn);
  };
}

// undici appends headers; drop any sw8 the caller set so exactly one travels.
function removePropagation(request: UndiciRequest): void {
  if (Array.isArray(request.headers)) {
    for (let i = request.headers.length - 2; i >= 0; i -= 2) {
      if (PROPAGATION_HEADERS.has(String(request.headers[i]).toLowerCase())) request.headers.splice(i, 2);
    }
  } else if (typeof request.headers === 'string') {
    request.headers = request.headers
      .split('\r\n')
      .filter((line) => !PROPAGATION_HEADERS.has(line.slice(0, line.indexOf(':')).trim().toLowerCase()))
      .join('\r\n');
  }
}

/** Writes propagation headers into undici's request. */
class RequestSink {
  constructor(private readonly request: UndiciRequest) {}
  inject(key: string, value: string): void {
    const request = this.request;
    if (Array.isArray(request.headers)) request.headers.push(key, value);
    else request.addHeader(key, value);
  }
}
