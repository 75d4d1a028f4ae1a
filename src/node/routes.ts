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

// The http servers Fastify instances created since the agent started: a request on one of
// them with no route template was not matched by Fastify's router.
const fastifyServers = new WeakSet<object>();

/**
 * Records Fastify's route template on the raw request, and which servers are Fastify's
 * (announced on its `fastify.initialization` channel). Returns the unsubscribe function.
 */
export function watchFastifyRoutes(): () => void {
  const onStart = (message: unknown) => {
    const m = message as { request?: { raw?: Req }; route?: { url?: unknown } };
    const url = m.route?.url;
    if (m.request?.raw && typeof url === 'string') m.request.raw[ROUTE] = url;
  };
  const onInit = (message: unknown) => {
    const server = (message as { fastify?: { server?: unknown } }).fastify?.server;
    if (server && typeof server === 'object') fastifyServers.add(server);
  };
  const subscriptions: Array<[string, (m: unknown) => void]> = [
    ['tracing:fastify.request.handler:start', onStart],
    ['fastify.initialization', onInit],
  ];
  for (const [name, fn] of subscriptions) dc.subscribe(name, fn);
  return () => {
    for (const [name, fn] of subscriptions) dc.unsubscribe(name, fn);
  };
}

/**
 * The name of requests a router saw and matched no route for (404 with no template).
 * Their raw paths are what scanners and typos make up: one endpoint for all of them keeps
 * OAP's endpoint list bounded (the path stays in the `url` tag). Datadog's tracer does
 * the same with `GET 404`; OpenTelemetry names such spans by the method alone.
 */
export const UNMATCHED_ROUTE = '/{unmatched}';

/** True when Express or Fastify routed `req` (so a missing template means no route matched). */
function routed(req: IncomingMessage): boolean {
  // Express sets req.app; plain node:http and Koa leave it alone.
  if (typeof (req as { app?: unknown }).app === 'function') return true;
  const server = (req.socket as { server?: unknown } | null | undefined)?.server;
  return typeof server === 'object' && server !== null && fastifyServers.has(server);
}

// The entry span and request of each incoming request's segment, so an outgoing call made
// after a router matched can name the entry by its route first: sw8 field 7 then carries
// `GET:/users/:id`, the same endpoint the entry span reports. Kept on the context under a
// symbol, not in a WeakMap: V8's scavenger keeps the values of a WeakMap whose keys are
// young alive, so every request (its span, request and response) would survive the young
// generation, which then grows to its maximum (about +30 MiB of RSS under load) and costs
// CPU to copy and promote.
const ENTRY = Symbol('skywalking-tracing.entry');
type WithEntry = TracingContext & { [ENTRY]?: { readonly span: Span; readonly req: IncomingMessage } };

/** Remembers the entry span of `context` and the request it serves (the request's trace object carries both). */
export function trackEntry(context: TracingContext, entry: { readonly span: Span; readonly req: IncomingMessage }): void {
  (context as WithEntry)[ENTRY] = entry;
}

/**
 * Renames the entry span of `context` to `METHOD:<route template>` when a router recorded
 * one; with the final `status` (at the end of the request), a 404 that Express or Fastify
 * routed to no route becomes `METHOD:/{unmatched}` ({@link UNMATCHED_ROUTE}).
 */
export function applyRoute(context: TracingContext, status?: number): void {
  const e = (context as WithEntry)[ENTRY];
  if (!e) return;
  const route = routeOf(e.req) ?? (status === 404 && routed(e.req) ? UNMATCHED_ROUTE : undefined);
  if (route) e.span.setOperationName((e.req.method ?? 'GET') + ':' + route);
}
