import http from 'node:http';
import https from 'node:https';
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders, RequestOptions } from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import { ComponentId, diag } from '../core/index.js';
import { tagHttpStatus } from '../core/http-status.js';
import { PROPAGATION_HEADERS } from '../core/sw8.js';
import type { Injectable, Span, Tracer } from '../core/index.js';
import { Patches } from '../core/patch.js';
import { pathOf, redactUrl } from '../core/redact.js';
import { parentFor, traceStorage } from './context.js';
import type { ResolvedOptions } from './options.js';
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
  syncBuiltinESMExports();
  return () => {
    patches.restore();
    syncBuiltinESMExports();
  };
}

interface Target {
  protocol: string;
  hostname: string;
  port: string;
  path: string;
  method: string;
}

// http.get calls the module's internal request(), not the export, so get and request
// are wrapped separately and a get is traced once.
function wrapRequest(original: RequestFn, defaultProtocol: string, tracer: Tracer, options: ResolvedOptions): RequestFn {
  return function request(this: unknown, ...args: unknown[]): ClientRequest {
    const store = traceStorage.getStore();
    if (isSuppressed() || (!store && !options.traceWithoutParent)) return original.apply(this, args);
    let span: Span | undefined;
    let callArgs = args;
    try {
      const parsed = normalise(args, defaultProtocol);
      if (!parsed) return original.apply(this, args);
      const { target, headers, rebuild } = parsed;
      const peer = hostPort(target.hostname, target.port);
      const { context, parent } = parentFor(tracer, store);
      // A proxy-style path (`http://user:pw@host/x`) names the final target: its path for
      // the span, its origin (without userinfo) for the tag and the propagation check.
      let origin = `${target.protocol}//${peer}`;
      let pathAndQuery = target.path;
      if (pathAndQuery.charCodeAt(0) !== 47 /* / */) {
        const split = splitTarget(pathAndQuery);
        origin = split.origin ?? origin;
        pathAndQuery = split.pathAndQuery.charCodeAt(0) === 47 ? split.pathAndQuery : '/' + split.pathAndQuery;
      }
      // Headers are copied only to inject: a request that gets no sw8 goes out exactly as
      // the caller made it, with any propagation header the caller set.
      let copy: OutgoingHttpHeaders | string[] | undefined;
      let injectable: Injectable | undefined;
      if (options.propagateTo(new URL(origin + pathAndQuery))) {
        const headersCopy = (copy = copyHeaders(headers));
        injectable = { inject: (k, v) => setHeader(headersCopy, k, v) };
        applyRoute(context);
      }
      span = context.createExitSpan(pathOf(pathAndQuery) || '/', parent, peer, injectable);
      span.setComponent(ComponentId.HttpClient).setLayer('Http');
      span.tag('http.method', target.method);
      span.tag('url', redactUrl(origin, pathAndQuery));
      if (copy) callArgs = rebuild(copy);
    } catch (err) {
      diag.once('error', 'http-client-start', 'tracing an outgoing request failed; sent untraced', err);
      span?.end();
      return original.apply(this, args);
    }
    const req = original.apply(this, callArgs);
    watch(span, req, options.errorStatusThreshold);
    return req;
  };
}

// Listening must not change what the app sees. Node discards a response nobody listens
// to and throws an 'error' nobody listens to; our listeners would otherwise keep the
// socket busy with an unread body, or swallow the error. So we do both ourselves when
// ours is the only listener.
function watch(span: Span, req: ClientRequest, threshold: number): void {
  let done = false;
  const end = () => {
    if (done) return;
    done = true;
    span.end();
  };
  const onResponse = (res: IncomingMessage) => {
    const alone = req.listenerCount('response') <= 1;
    req.removeListener('response', onResponse);
    try {
      tagHttpStatus(span, res.statusCode ?? 0, threshold);
    } catch {
      // bookkeeping only
    }
    end();
    if (alone) res.resume();
  };
  const onError = (err: unknown) => {
    if (!done) {
      span.error(err);
      end();
    }
    if (req.listenerCount('error') <= 1) throw err;
  };
  try {
    // First in line, so the app's own once-listeners are still counted when it runs.
    req.prependListener('response', onResponse);
    req.on('error', onError);
    req.once('timeout', () => {
      // A timeout can fire after the response ended the span (and its segment was sent).
      if (done) return;
      span.error().log({ event: 'error', 'error.kind': 'Timeout', message: 'request timed out' });
    });
    req.once('close', () => {
      if (done) return;
      // An upgrade (WebSocket) or CONNECT answer sets req.res without a 'response' event;
      // listening for 'upgrade' ourselves would stop Node from closing unwanted upgrades.
      const res = (req as { res?: IncomingMessage | null }).res;
      if (res) tagHttpStatus(span, res.statusCode ?? 0, threshold);
      else span.error().log({ event: 'error', 'error.kind': 'Aborted', message: 'request closed before a response' });
      end();
    });
  } catch {
    end();
  }
}

/** Reads the target out of every `request()` call form and returns a way to call it again with new headers. */
function normalise(
  args: unknown[],
  defaultProtocol: string,
): { target: Target; headers: OutgoingHttpHeaders | readonly string[] | undefined; rebuild: (headers: OutgoingHttpHeaders | string[]) => unknown[] } | undefined {
  let url: URL | undefined;
  let opts: RequestOptions | undefined;
  let rest: unknown[];
  const a0 = args[0];
  if (typeof a0 === 'string' || a0 instanceof URL) {
    try {
      url = typeof a0 === 'string' ? new URL(a0) : a0;
    } catch {
      return undefined;
    }
    if (args[1] && typeof args[1] === 'object') {
      opts = args[1] as RequestOptions;
      rest = args.slice(2);
    } else rest = args.slice(1);
  } else if (a0 && typeof a0 === 'object') {
    opts = a0 as RequestOptions;
    rest = args.slice(1);
  } else return undefined;

  const protocol = opts?.protocol ?? url?.protocol ?? defaultProtocol;
  // Node's own precedence: hostname, then host (a bare name or address, never with a port:
  // `::1` is an address, not host `:` port 1), then the URL.
  const rawHost = opts?.hostname || opts?.host || url?.hostname || 'localhost';
  const hostname = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  const defaultPort = (opts as { defaultPort?: unknown } | undefined)?.defaultPort ?? (opts?.agent as { defaultPort?: unknown } | undefined)?.defaultPort;
  const port = String(opts?.port || url?.port || defaultPort || (protocol === 'https:' ? '443' : '80'));
  const path = opts?.path ?? (url ? url.pathname + url.search : '/');
  const method = (opts?.method ?? 'GET').toUpperCase();
  const headers = opts?.headers as OutgoingHttpHeaders | readonly string[] | undefined;
  return {
    target: { protocol, hostname, port, path, method },
    headers,
    rebuild: (h) => {
      const newOpts = { ...(opts ?? {}), headers: h };
      return url ? [url, newOpts, ...rest] : [newOpts, ...rest];
    },
  };
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
