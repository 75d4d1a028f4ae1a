import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { ComponentId, diag } from '../core/index.js';
import type { Extractable, Span, Tracer, TracingContext } from '../core/index.js';
import { tagHttpStatus } from '../core/http-status.js';
import { UNTRACED_SERVER } from '../server/untraced.js';
import { Patches, type AnyFunction } from '../core/patch.js';
import { pathOf, redactUrl } from '../core/redact.js';
import { clientAddress } from './client-address.js';
import type { ActiveTrace } from './active-trace.js';
import { traceStorage } from './context.js';
import { handlerError, watchHandlerErrors } from './handler-errors.js';
import type { ResolvedOptions } from './options.js';
import { isOwnPath } from './own-paths.js';
import { applyRoute, trackEntry, watchFastifyRoutes } from './routes.js';
import { hasSuffix } from './suffixes.js';
import { splitTarget } from './targets.js';
import { isSuppressed } from './suppress.js';

// The trace of a traced request, on its IncomingMessage and ServerResponse.
const TRACE = Symbol.for('skywalking-tracing.request-trace');
type Traced = { [TRACE]?: EntryTrace };

/**
 * Traces every request an `http` or `https` server receives, whatever framework sits on
 * top: `Server.prototype.emit('request')` runs the app's handler inside the request's
 * trace, and every event of that request and its response (body `data`/`end`, `finish`,
 * `close`, which the HTTP parser fires outside the handler's async context) runs inside it
 * too. Errors a framework caught from the handler are logged on the entry span of a failed
 * response (see handler-errors.ts). Returns the function that removes the patches: a
 * wrapper another library has wrapped since stays in its chain and passes through.
 */
export function instrumentHttpServer(tracer: Tracer, options: ResolvedOptions): () => void {
  const patches = new Patches();
  const wrap = (original: AnyFunction) =>
    // `arguments` is forwarded as is: no rest array on every server event, no closure per request.
    function emit(this: unknown, event: unknown): boolean {
      // A server that receives SkyWalking data (the local collector, in tests and demos) is never traced.
      if (event !== 'request' || isSuppressed() || (this as { [UNTRACED_SERVER]?: boolean })[UNTRACED_SERVER])
        return original.apply(this, arguments as unknown as unknown[]) as boolean;
      const req = arguments[1] as IncomingMessage;
      const res = arguments[2] as ServerResponse;
      let span: Span;
      let context;
      let trace: EntryTrace;
      try {
        let origin: string | undefined;
        let rawUrl = req.url ?? '/';
        // Absolute-form targets (a proxy's requests) carry a host, maybe credentials.
        if (rawUrl.charCodeAt(0) !== 47 /* / */ && rawUrl !== '*') ({ origin, pathAndQuery: rawUrl } = splitTarget(rawUrl));
        const path = pathOf(rawUrl);
        const method = req.method ?? 'GET';
        if (options.ignoreMethods.has(method) || hasSuffix(path, options.ignoreSuffixes) || options.ignorePath(path) || isOwnPath(path))
          return original.apply(this, arguments as unknown as unknown[]) as boolean;
        context = tracer.createTracingContext();
        headerReader.headers = req.headers;
        try {
          span = context.createEntrySpan(method + ':' + path, null, headerReader);
        } finally {
          headerReader.headers = undefined;
        }
        span.setComponent(ComponentId.HttpServer).setLayer('Http');
        span.peer = clientAddress(req);
        const tls = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
        span.tag('http.method', method);
        span.tag('url', redactUrl(origin ?? (tls ? 'https://' : 'http://') + (req.headers.host ?? 'localhost'), rawUrl));
        trace = new EntryTrace(context, span, req, options.errorStatusThreshold);
        trackEntry(context, trace);
      } catch (err) {
        diag.once('error', 'http-server-start', 'tracing an incoming request failed; request served untraced', err);
        return original.apply(this, arguments as unknown as unknown[]) as boolean;
      }
      // Events of this request and its response run inside the trace, and the response's
      // 'close' ends the span (see emitInTrace).
      (req as Traced)[TRACE] = trace;
      (res as Traced)[TRACE] = trace;
      return traceStorage.run(trace, Reflect.apply, original, this, arguments) as boolean;
    };
  patches.method(http.Server.prototype, 'emit', wrap);
  patches.method(https.Server.prototype, 'emit', wrap);
  // https uses the same request and response classes.
  patches.method(http.IncomingMessage.prototype, 'emit', emitInTrace);
  patches.method(http.ServerResponse.prototype, 'emit', (original) => emitInTrace(original, true));
  const unsubscribe = [watchFastifyRoutes(), watchHandlerErrors(patches)];
  return () => {
    patches.restore();
    for (const u of unsubscribe) u();
  };
}

/**
 * Reads propagation headers from the headers of the request being entered. One object for
 * every request: extraction is synchronous, so the headers are set just before and cleared
 * just after (nothing of a request stays reachable from it).
 */
const headerReader: Extractable & { headers: IncomingHttpHeaders | undefined } = {
  headers: undefined,
  extract(key) {
    const v = this.headers?.[key];
    return typeof v === 'string' ? v : Array.isArray(v) ? v[0] : undefined;
  },
};

/** The trace of one incoming request: its segment and entry span, and whether the span ended. */
class EntryTrace implements ActiveTrace {
  done = false;
  constructor(
    readonly context: TracingContext,
    readonly span: Span,
    readonly req: IncomingMessage,
    readonly threshold: number,
  ) {}
}

/**
 * Runs the listeners of a traced request's (or response's) events inside the request's
 * trace, as OpenTelemetry's `context.bind` on the emitters does, without a wrapper per
 * listener or per request: one property read per event, and nothing more when the
 * event already runs inside the request's segment. Client responses and untraced
 * requests carry no trace and pass straight through.
 */
function emitInTrace(original: AnyFunction, response = false): AnyFunction {
  // The slow path, inside the trace: made once per patch, not per event.
  const inTrace = function (this: Traced): boolean {
    return traceStorage.run(this[TRACE]!, Reflect.apply, original, this, arguments) as boolean;
  };
  return function emit(this: Traced & { listenerCount(event: unknown): number }, event: unknown): boolean {
    const trace = this[TRACE];
    // 'close' follows 'finish' on every response, and comes alone when the client hangs up:
    // the entry span ends before the listeners run (it did as the first listener).
    if (response && trace !== undefined && event === 'close' && !trace.done) finish(trace, this as unknown as ServerResponse);
    // Straight through: no trace (client responses, untraced requests); nobody listening
    // (most of a response's events); Node's own single listener (the request's 'end' →
    // clearIncoming), which runs no app code; or already inside this request's segment
    // (the handler, or a user span of it, emitting synchronously: keep the innermost span).
    const direct =
      trace === undefined || this.listenerCount(event) === 0 || isNodeListener(this, event) || traceStorage.getStore()?.context === trace.context;
    // `arguments` used once, by apply: V8 then forwards it without materialising the object.
    return (direct ? original : inTrace).apply(this, arguments as unknown as unknown[]) as boolean;
  };
}

// Node's own 'end' listener on a request whose response finished before its body was read
// (clearIncoming in node:_http_server, added after the handler ran): it only detaches the
// request from its parser and runs no app code, so it needs no trace context. Recognised
// by its name the first time, by identity from then on.
let clearIncoming: unknown;

/** True when the only listener of `event` is Node's own (so it needs no trace context). */
function isNodeListener(emitter: object, event: unknown): boolean {
  if (event !== 'end') return false;
  // EventEmitter keeps a single listener as the function itself, several as an array.
  const fn = (emitter as { _events?: Record<string, unknown> })._events?.end;
  if (typeof fn !== 'function') return false;
  if (clearIncoming === undefined && fn.name === 'clearIncoming' && emitter instanceof http.IncomingMessage) clearIncoming = fn;
  return fn === clearIncoming;
}

/** Ends the entry span of `trace` when its response closes. */
function finish(trace: EntryTrace, res: ServerResponse): void {
  trace.done = true;
  const span = trace.span;
  try {
    const aborted = !res.writableFinished;
    const status = res.statusCode;
    // The handler's error (message, stack) when it made the response fail; an error the
    // app's own error handler turned into a 4xx is the app's answer, not a failure. An
    // aborted request whose headers never went out has no status to tag.
    if (res.headersSent || !aborted) tagHttpStatus(span, status, trace.threshold, status >= trace.threshold ? handlerError(trace.req) : undefined);
    if (aborted) span.error().log({ event: 'error', 'error.kind': 'Aborted', message: 'the connection closed before the response finished' });
    // Named after the route template once a router matched (a router's 404s after no
    // route at all), so endpoints stay low-cardinality.
    applyRoute(trace.context, status);
  } catch {
    // Never let bookkeeping break the response path.
  }
  span.end();
}
