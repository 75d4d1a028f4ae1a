// Same-origin ingest handler: browsers report to their own app, which forwards to OAP.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Reporter, SegmentObject } from '../../core/index.js';
import { diag } from '../../core/index.js';
import { receiveReport, ReportError, reportRoute } from '../../server/index.js';
import { currentAgent } from '../agent.js';
import { addOwnPaths } from '../own-paths.js';
import type { NodeReporter } from '../reporter/index.js';
import { RateLimiter } from './rate-limiter.js';
import { checkBrowserSegment } from './segment-policy.js';

/** Options of {@link createIngestHandler}. */
export interface IngestHandlerOptions {
  /** Path prefix the handler owns; the browser's `collector` option. Default `/skywalking`. */
  basePath?: string;
  /** Where segments go. Default: the running agent's reporter (from `start()`), read per request. */
  reporter?: Reporter;
  /** An agent whose reporter receives the segments (used when `reporter` is not given). */
  agent?: { readonly reporter: Reporter };
  /** Largest body accepted. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Most segments in one request. Default 200. */
  maxSegmentsPerRequest?: number;
  /** Most spans in one segment. Default 300. */
  maxSpansPerSegment?: number;
  /** Longest string accepted anywhere in a segment (names, peers, tag and log values), in characters. Default 4096. */
  maxStringLength?: number;
  /** Requests per second per client (burst twice that). 0 disables. Default 20. */
  ratePerSecond?: number;
  /**
   * The rate limiter's client key. Default: the socket's remote address. Behind a proxy,
   * derive it from a header the proxy sets, e.g. `(req) => String(req.headers['x-real-ip'])`.
   */
  clientKey?: (req: IncomingMessage) => string;
  /**
   * Browser service names this handler accepts; reports of any other service (segments,
   * perf data, error logs) are refused with 403. The handler forwards with the server's
   * token, so without a list a page could report as any service, a backend's included.
   * Default: every service. Not a list of strings: nothing is accepted (with a diagnostic).
   */
  services?: string[];
  /** Receives browser perf data and error logs (`/browser/*`). Default: forwarded to OAP by the agent's gRPC reporter. */
  onBrowserData?: (path: string, items: unknown[]) => void;
}

/** A request handler for node:http, Express/Connect, Koa and Fastify. */
export interface IngestHandler {
  /** node:http or Express/Connect: handles its paths, calls `next()` (if given) for others. Returns true when it handled the request. */
  (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): boolean;
  /** Koa middleware. */
  koa(): (ctx: { req: IncomingMessage; res: ServerResponse; respond?: boolean }, next: () => Promise<unknown>) => Promise<unknown>;
  /** Fastify `onRequest` hook: `app.addHook('onRequest', handler.fastify())`. */
  fastify(): (request: { raw: IncomingMessage }, reply: { raw: ServerResponse; hijack(): void }, done: () => void) => void;
}

/**
 * Takes browser reports on the app's own origin — gRPC-web `collectInSync`, OAP's JSON
 * `/v3/segments` and `/v3/segment`, `/browser/*` — validates and bounds them, and forwards
 * segments through the agent's reporter (which holds the OAP address and token). Browsers
 * then need no proxy, no CORS and no public OAP. Never throws into the host server.
 */
export function createIngestHandler(options: IngestHandlerOptions = {}): IngestHandler {
  const base = (options.basePath ?? '/skywalking').replace(/\/+$/, '');
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const maxSegments = options.maxSegmentsPerRequest ?? 200;
  const maxSpans = options.maxSpansPerSegment ?? 300;
  const maxString = options.maxStringLength ?? 4096;
  const limiter = new RateLimiter(options.ratePerSecond ?? 20);
  const clientKey = options.clientKey ?? ((req: IncomingMessage) => req.socket?.remoteAddress ?? '');
  const allowed = allowList(options.services);
  const checkService = (service: unknown) => {
    if (allowed && !(typeof service === 'string' && allowed.has(service))) {
      throw new ReportError(403, `service ${JSON.stringify(typeof service === 'string' ? service.slice(0, 60) : service ?? '')} is not accepted here`);
    }
  };
  // The browser's reports are the agent's own traffic: never traced as app requests. Only
  // the report routes themselves, so the app's paths under the same base stay traced.
  addOwnPaths(base, (path) => path.startsWith(base) && reportRoute(path.slice(base.length)) !== undefined);

  // Express strips a mount path from req.url (app.use('/skywalking', handler)) and keeps
  // the full one in originalUrl; either form is accepted.
  const owns = (req: IncomingMessage) => ownsUrl(req.url) ?? ownsUrl((req as { originalUrl?: string }).originalUrl);
  const ownsUrl = (url: string | undefined) => {
    if (!url) return undefined;
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (base && !path.startsWith(base + '/')) return undefined;
    const sub = path.slice(base.length);
    return reportRoute(sub) ? sub : undefined;
  };

  const limits = { maxSegmentsPerRequest: maxSegments, maxSpansPerSegment: maxSpans };
  const policy = { maxStringLength: maxString, checkService };

  // The shared receive pipeline (src/server), as the collector runs it: the same inputs get
  // the same answers; only admission (rate limit), limits and the destination differ.
  const process = (req: IncomingMessage, res: ServerResponse, sub: string, parsed?: unknown): Promise<unknown> =>
    receiveReport(req, res, reportRoute(sub)!, sub, {
      maxBodyBytes: maxBody,
      limits,
      admit: () => {
        if (limiter.take(safeKey(clientKey, req))) return;
        res.setHeader('retry-after', '1');
        throw new ReportError(429, 'too many reports from this client');
      },
      consumedBody: req.readableEnded ? () => consumedBody(req, maxBody, parsed) : undefined,
      accept: (got) => {
        if (got.kind === 'segments') forward(got.segments);
        else if (got.kind === 'browser') {
          for (const item of got.items) checkService((item as { service?: unknown } | null)?.service);
          const reporter = (options.reporter ?? options.agent?.reporter ?? currentAgent()?.reporter) as NodeReporter | undefined;
          if (options.onBrowserData) options.onBrowserData(sub, got.items);
          else if (reporter?.forwardBrowserData) reporter.forwardBrowserData(sub, got.items);
          else diag.once('info', 'ingest-browser', 'ingest handler: browser perf/error data dropped (the reporter cannot forward it; set onBrowserData)');
        }
      },
    });

  // Counts and spans per segment were checked by the pipeline; the rest is browser policy.
  const forward = (segments: SegmentObject[]) => {
    segments.forEach((s, i) => checkBrowserSegment(s, i, policy));
    const reporter = options.reporter ?? options.agent?.reporter ?? currentAgent()?.reporter;
    if (!reporter) throw new ReportError(503, 'no reporter: call start() first or pass options.reporter');
    for (const s of segments) reporter.report(s);
  };

  const run = (req: IncomingMessage, res: ServerResponse, sub: string) => {
    process(req, res, sub).catch((err: unknown) => {
      diag.error('ingest handler failed', err);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };

  const handler = ((req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): boolean => {
    const sub = owns(req);
    if (!sub) {
      next?.();
      return false;
    }
    run(req, res, sub);
    return true;
  }) as IngestHandler;

  handler.koa = () => async (ctx, next) => {
    // koa-bodyparser keeps a parsed body on ctx.request.body.
    const sub = owns(ctx.req);
    if (!sub) return next();
    ctx.respond = false;
    await process(ctx.req, ctx.res, sub, (ctx as { request?: { body?: unknown } }).request?.body);
  };
  handler.fastify = () => (request, reply, done) => {
    const sub = owns(request.raw);
    if (!sub) return done();
    reply.hijack();
    run(request.raw, reply.raw, sub);
  };
  return handler;
}

/** The accepted services, or undefined for all. A value that is not a list of strings accepts none. */
function allowList(services: unknown): Set<string> | undefined {
  if (services === undefined || services === null) return undefined;
  if (!Array.isArray(services) || !services.every((s) => typeof s === 'string')) {
    diag.warn('ingest handler: services must be a list of service names; no browser report is accepted');
    return new Set();
  }
  return new Set(services as string[]);
}

function safeKey(key: (req: IncomingMessage) => string, req: IncomingMessage): string {
  try {
    return String(key(req));
  } catch {
    return req.socket?.remoteAddress ?? '';
  }
}

/**
 * A body a parser mounted earlier already consumed (and inflated): Express's `req.body`
 * (Buffer, string or parsed JSON) or Koa's `ctx.request.body`. Waiting for a consumed
 * stream would hang the request.
 */
function consumedBody(req: IncomingMessage, limit: number, parsed: unknown): Buffer {
  const value = parsed ?? (req as { body?: unknown }).body;
  let body: Buffer;
  if (Buffer.isBuffer(value)) body = value;
  else if (typeof value === 'string') body = Buffer.from(value);
  else if (Array.isArray(value) || (value !== null && typeof value === 'object' && Object.keys(value).length > 0)) body = Buffer.from(JSON.stringify(value));
  else throw new ReportError(400, 'the request body was consumed before the ingest handler; mount it before body parsers');
  if (body.length > limit) throw new ReportError(413, `body over the ${limit}-byte limit`);
  return body;
}
