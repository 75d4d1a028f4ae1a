import http from 'node:http';
import https from 'node:https';
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders, RequestOptions } from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import { ComponentId, diag } from '../core/index.js';
import { tagHttpStatus } from '../core/http-status.js';
import { PROPAGATION_HEADERS } from '../core/sw8.js';
import type { Injectable, Span, Tracer } from '../core/index.js';
import { Patches, type AnyFunction } from '../core/patch.js';
import { pathOf, redactUrl } from '../core/redact.js';
import { contextFor, parentIn, traceStorage } from './context.js';
import { propagateToAll, type ResolvedOptions } from './options.js';
import { applyRoute } from './routes.js';
import { hostPort, splitTarget } from './targets.js';
import { isSuppressed } from './suppress.js';

type RequestFn = (...args: unknown[]) => ClientRequest;

/**
 * Traces `http.request`, `http.get`, `https.request` and `https.get` as Exit spans and
 * writes sw8 into a copy of the request headers. The module objects are patched and
 * re-synced to their ESM views, so `import { request } from 'node:http'` in modules
 * loaded afterwards is traced too. Returns the function that removes the patches: a
 * wrapper that another library has wrapped since stays in its chain and passes through.
 */
export function instrumentHttpClient(tracer: Tracer, options: ResolvedOptions): () => void {
  const patches = new Patches();
  patches.method(http, 'request', (orig) => wrapRequest(orig, 'http:', tracer, options));
  patches.method(http, 'get', (orig) => wrapRequest(orig, 'http:', tracer, options));
  patches.method(https, 'request', (orig) => wrapRequest(orig, 'https:', tracer, options));
  patches.method(https, 'get', (orig) => wrapRequest(orig, 'https:', tracer, options));
  patches.method(http.ClientRequest.prototype, 'emit', clientEmit);
  syncBuiltinESMExports();
  return () => {
    patches.restore();
    syncBuiltinESMExports();
  };
}

// http.get calls the module's internal request(), not the export, so get and request
// are wrapped separately and a get is traced once. Per call: the span, its tags, and (only
// when sw8 goes out) a copy of the headers and the options; no closures, no listeners.
function wrapRequest(original: RequestFn, defaultProtocol: string, tracer: Tracer, options: ResolvedOptions): RequestFn {
  // `arguments` rather than rest parameters: no array unless the call is rebuilt with sw8.
  return function request(this: unknown): ClientRequest {
    const store = traceStorage.getStore();
    if ((!store && !options.traceWithoutParent) || isSuppressed()) return original.apply(this, arguments as unknown as unknown[]);
    let span: Span | undefined;
    let callArgs: ArrayLike<unknown> = arguments;
    try {
      // Every call form: (url[, options][, cb]) or (options[, cb]).
      const a0: unknown = arguments[0];
      let url: URL | undefined;
      let opts: RequestOptions | undefined;
      if (typeof a0 === 'string' || a0 instanceof URL) {
        try {
          url = typeof a0 === 'string' ? new URL(a0) : a0;
        } catch {
          return original.apply(this, arguments as unknown as unknown[]);
        }
        const a1: unknown = arguments[1];
        if (a1 && typeof a1 === 'object') opts = a1 as RequestOptions;
      } else if (a0 && typeof a0 === 'object') opts = a0 as RequestOptions;
      else return original.apply(this, arguments as unknown as unknown[]);

      const protocol = opts?.protocol ?? url?.protocol ?? defaultProtocol;
      // Node's own precedence: hostname, then host (a bare name or address, never with a port:
      // `::1` is an address, not host `:` port 1), then the URL.
      const rawHost = opts?.hostname || opts?.host || url?.hostname || 'localhost';
      const hostname = rawHost.charCodeAt(0) === 91 /* [ */ ? rawHost.slice(1, -1) : rawHost;
      const defaultPort = (opts as { defaultPort?: unknown } | undefined)?.defaultPort ?? (opts?.agent as { defaultPort?: unknown } | undefined)?.defaultPort;
      const port = opts?.port || url?.port || defaultPort || (protocol === 'https:' ? '443' : '80');
      const peer = hostPort(hostname, port as string | number);
      const context = contextFor(tracer, store);
      const parent = parentIn(context, store);
      // A proxy-style path (`http://user:pw@host/x`) names the final target: its path for
      // the span, its origin (without userinfo) for the tag and the propagation check.
      let origin = protocol + '//' + peer;
      let pathAndQuery = opts?.path ?? (url ? url.pathname + url.search : '/');
      if (pathAndQuery.charCodeAt(0) !== 47 /* / */) {
        const split = splitTarget(pathAndQuery);
        origin = split.origin ?? origin;
        pathAndQuery = split.pathAndQuery.charCodeAt(0) === 47 ? split.pathAndQuery : '/' + split.pathAndQuery;
      }
      // Headers are copied only to inject: a request that gets no sw8 goes out exactly as
      // the caller made it, with any propagation header the caller set. The URL for the
      // propagateTo check is built only when the user gave one.
      let copy: OutgoingHttpHeaders | string[] | undefined;
      if (options.propagateTo === propagateToAll || options.propagateTo(new URL(origin + pathAndQuery))) {
        copy = copyHeaders(opts?.headers as OutgoingHttpHeaders | readonly string[] | undefined);
        applyRoute(context);
      }
      span = context.createExitSpan(pathOf(pathAndQuery) || '/', parent, peer, copy && new HeaderSink(copy));
      span.setComponent(ComponentId.HttpClient).setLayer('Http');
      span.tag('http.method', opts?.method ? opts.method.toUpperCase() : 'GET');
      span.tag('url', redactUrl(origin, pathAndQuery));
      if (copy) callArgs = withHeaders(arguments, url, opts, copy);
    } catch (err) {
      diag.once('error', 'http-client-start', 'tracing an outgoing request failed; sent untraced', err);
      span?.end();
      return original.apply(this, arguments as unknown as unknown[]);
    }
    const req = original.apply(this, callArgs as unknown[]);
    // A span that records nothing needs no watching.
    if (span.isRecording) (req as Watched)[WATCH] = new ExitWatch(span, options.errorStatusThreshold);
    return req;
  };
}

/** Writes propagation headers into the request's copy of the headers. */
class HeaderSink implements Injectable {
  constructor(private readonly headers: OutgoingHttpHeaders | string[]) {}
  inject(key: string, value: string): void {
    setHeader(this.headers, key, value);
  }
}

/** The call's arguments with `headers` in a copy of its options (the caller's stay as they were). */
function withHeaders(args: IArguments, url: URL | undefined, opts: RequestOptions | undefined, headers: OutgoingHttpHeaders | string[]): unknown[] {
  const out: unknown[] = [];
  if (url) out.push(url);
  out.push({ ...(opts ?? {}), headers });
  for (let i = url && opts ? 2 : 1; i < args.length; i++) out.push(args[i]);
  return out;
}

// The exit span of an outgoing request rides on its ClientRequest, and the request's own
// events end it (see clientEmit): no listener, closure or once-wrapper per request.
const WATCH = Symbol('skywalking-tracing.exit-watch');
type Watched = ClientRequest & { [WATCH]?: ExitWatch };

/** The span of one outgoing request and what its events have done to it. */
class ExitWatch {
  done = false;
  timedOut = false;
  constructor(
    readonly span: Span,
    readonly threshold: number,
  ) {}

  end(): void {
    if (this.done) return;
    this.done = true;
    this.span.end();
  }
}

/**
 * The ClientRequest events that finish its exit span, seen before any listener runs (the
 * app's `response` callback then runs after the span ended, as before). Emitting
 * changes nothing for the app: no listener is added, so Node still discards a response
 * nobody listens to and throws an `error` nobody listens to.
 */
function clientEmit(original: AnyFunction): AnyFunction {
  // `arg` is a parameter, and `arguments` is only forwarded: V8 then never materialises it.
  return function emit(this: Watched, event: unknown, arg: unknown): boolean {
    const w = this[WATCH];
    if (w !== undefined && !w.done) {
      try {
        onClientEvent(this, w, event, arg);
      } catch {
        // bookkeeping only
      }
    }
    return original.apply(this, arguments as unknown as unknown[]) as boolean;
  };
}

function onClientEvent(req: Watched, w: ExitWatch, event: unknown, arg: unknown): void {
  if (event === 'response') {
    try {
      tagHttpStatus(w.span, (arg as IncomingMessage).statusCode ?? 0, w.threshold);
    } finally {
      w.end();
    }
  } else if (event === 'error') {
    w.span.error(arg);
    w.end();
  } else if (event === 'timeout') {
    // Once, like the listener it replaces; a timeout after the response is not an error.
    if (w.timedOut) return;
    w.timedOut = true;
    w.span.error().log({ event: 'error', 'error.kind': 'Timeout', message: 'request timed out' });
  } else if (event === 'close') {
    // An upgrade (WebSocket) or CONNECT answer sets req.res without a 'response' event;
    // listening for 'upgrade' ourselves would stop Node from closing unwanted upgrades.
    const res = (req as { res?: IncomingMessage | null }).res;
    try {
      if (res) tagHttpStatus(w.span, res.statusCode ?? 0, w.threshold);
      else w.span.error().log({ event: 'error', 'error.kind': 'Aborted', message: 'request closed before a response' });
    } finally {
      w.end();
    }
  }
}

/** A copy of the caller's headers without any propagation header, in the caller's shape. */
function copyHeaders(headers: OutgoingHttpHeaders | readonly string[] | undefined): OutgoingHttpHeaders | string[] {
  if (Array.isArray(headers)) {
    const out: string[] = [];
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (!PROPAGATION_HEADERS.has(String(headers[i]).toLowerCase())) out.push(headers[i]!, headers[i + 1]!);
    }
    return out;
  }
  const out: OutgoingHttpHeaders = {};
  if (headers && typeof headers === 'object') {
    for (const k of Object.keys(headers)) if (!PROPAGATION_HEADERS.has(k.toLowerCase())) out[k] = (headers as OutgoingHttpHeaders)[k];
  }
  return out;
}

function setHeader(headers: OutgoingHttpHeaders | string[], key: string, value: string): void {
  if (Array.isArray(headers)) headers.push(key, value);
  else headers[key] = value;
}
