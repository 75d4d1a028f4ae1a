import dc from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { Span, TracingContext } from '../core/index.js';

const ROUTE = Symbol('skywalking-tracing.route');

type Req = IncomingMessage & { [ROUTE]?: string; route?: { path?: unknown }; baseUrl?: unknown };

/**
 * The route template of a finished request, when a router recorded one: Express leaves
 * it on `req.route` (plus `req.baseUrl` for mounted routers); Fastify announces it on its
 * `fastify.request.handler` diagnostics channel (see {@link watchFastifyRoutes}).
 */
export function routeOf(req: IncomingMessage): string | undefined {
  const r = req as Req;
  if (r[ROUTE]) return r[ROUTE];
  const path = r.route?.path;
  if (typeof path === 'string' && path) return (typeof r.baseUrl === 'string' ? r.baseUrl : '') + path;
  return undefined;
}

/** Records Fastify's route template on the raw request. Returns the unsubscribe function. */
export function watchFastifyRoutes(): () => void {
  const onStart = (message: unknown) => {
    const m = message as { request?: { raw?: Req }; route?: { url?: unknown } };
    const url = m.route?.url;
    if (m.request?.raw && typeof url === 'string') m.request.raw[ROUTE] = url;
  };
  const name = 'tracing:fastify.request.handler:start';
  dc.subscribe(name, onStart);
  return () => dc.unsubscribe(name, onStart);
}

// The entry span and request of each incoming request's segment, so an outgoing call made
// after a router matched can name the entry by its route first: sw8 field 7 then carries
// `GET:/users/:id`, the same endpoint the entry span reports.
const entries = new WeakMap<TracingContext, { span: Span; req: IncomingMessage }>();

/** Remembers the entry span of `context` and the request it serves. */
export function trackEntry(context: TracingContext, span: Span, req: IncomingMessage): void {
  entries.set(context, { span, req });
}

/** Renames the entry span of `context` to `METHOD:<route template>` when a router recorded one. */
export function applyRoute(context: TracingContext): void {
  const e = entries.get(context);
  if (!e) return;
  const route = routeOf(e.req);
  if (route) e.span.setOperationName((e.req.method ?? 'GET') + ':' + route);
}
