import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ComponentId, diag } from '../core/index.js';
import type { Span, Tracer, TracingContext } from '../core/index.js';
import { traceStorage } from './context.js';
import { clientAddress, hasSuffix, headerExtractable, pathOf, redactedUrl } from './http-utils.js';
import type { ResolvedOptions } from './options.js';
import { isOwnPath } from './own-paths.js';
import { applyRoute, trackEntry, watchFastifyRoutes } from './routes.js';
import { isSuppressed } from './suppress.js';
import { patchMethod, type AnyFunction } from './patch.js';

/**
 * Traces every request an `http` or `https` server receives, whatever framework sits on
 * top: `Server.prototype.emit('request')` runs the app's handler inside the request's
 * trace. Returns the function that removes the patch.
 */
export function instrumentHttpServer(tracer: Tracer, options: ResolvedOptions): () => void {
  const wrap = (original: AnyFunction) =>
    function emit(this: unknown, event: unknown, ...args: unknown[]): boolean {
      if (event !== 'request' || isSuppressed()) return original.call(this, event, ...args);
      const req = args[0] as IncomingMessage;
      const res = args[1] as ServerResponse;
      let span: Span;
      let context;
      try {
        const rawUrl = req.url ?? '/';
        const path = pathOf(rawUrl);
        const method = req.method ?? 'GET';
        if (options.ignoreMethods.has(method) || hasSuffix(path, options.ignoreSuffixes) || options.ignorePath(path) || isOwnPath(path))
          return original.call(this, event, ...args);
        context = tracer.createTracingContext();
        span = context.createEntrySpan(method + ':' + path, null, headerExtractable(req.headers));
        span.setComponent(ComponentId.HttpServer).setLayer('Http');
        span.peer = clientAddress(req);
        const tls = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
        span.tag('http.method', method);
        span.tag('url', redactedUrl((tls ? 'https://' : 'http://') + (req.headers.host ?? 'localhost'), rawUrl));
        trackEntry(context, span, req);
        watchResponse(span, context, res, options.errorStatusThreshold);
      } catch (err) {
        diag.once('error', 'http-server-start', 'tracing an incoming request failed; request served untraced', err);
        return original.call(this, event, ...args);
      }
      return traceStorage.run({ context, span }, () => original.call(this, event, ...args));
    };
  const undoHttp = patchMethod(http.Server.prototype, 'emit', wrap);
  const undoHttps = patchMethod(https.Server.prototype, 'emit', wrap);
  const undoFastify = watchFastifyRoutes();
  return () => {
    undoHttp();
    undoHttps();
    undoFastify();
  };
}

function watchResponse(span: Span, context: TracingContext, res: ServerResponse, threshold: number): void {
  let done = false;
  const finish = (aborted: boolean) => {
    if (done) return;
    done = true;
    try {
      const status = res.statusCode;
      if (res.headersSent || !aborted) span.tag('http.status_code', String(status));
      if (status >= threshold) span.error();
      if (aborted) span.error().log({ event: 'error', 'error.kind': 'Aborted', message: 'the connection closed before the response finished' });
      // Named after the route template once a router matched, so endpoints stay low-cardinality.
      applyRoute(context);
    } catch {
      // Never let bookkeeping break the response path.
    }
    span.end();
  };
  // 'close' follows 'finish' on every response, and comes alone when the client hangs up.
  res.once('close', () => finish(!res.writableFinished));
}
