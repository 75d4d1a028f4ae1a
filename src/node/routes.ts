import dc from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';

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
