import type { IncomingMessage, ServerResponse } from 'node:http';
import { clipText, grpcWebMode, receiveReport, replyToReport, ReportError, reportRoute } from '../server/index.js';
import { perfKindOfPath, VITAL_THRESHOLDS } from './browser-stats.js';
import { receiveLogs } from './logs-http.js';
import { listSeries, searchLogs } from './telemetry-query.js';
import type { TraceStore } from './store.js';
import { VIEWER_HTML } from './viewer-page.js';

// Granted only to the reporting endpoints (a page on another origin reports with gRPC-web or
// REST). The trace API and the viewer grant no other origin: any page the developer opens
// could otherwise read every trace (URLs, tags).
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'grpc-status, grpc-message',
};

/**
 * The collector's HTTP port: gRPC-web and OAP's REST receivers, the JSON API and the
 * viewer page. Never throws; bad input gets a 4xx.
 */
export function createHttpHandler(store: TraceStore, maxBodyBytes: number): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(store, maxBodyBytes, req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: String((err as Error)?.message ?? err) }));
    });
  };
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(value));
}

/**
 * The request target as a URL whose path is always a path: `//api/traces` would otherwise be
 * read as the host `api` and the path `/traces`. Runs of slashes (and backslashes, which URL
 * parsing treats as slashes) collapse to one; an absolute-form target keeps only its path.
 */
function requestUrl(target: string | undefined): URL {
  let raw = target ?? '/';
  if (!raw.startsWith('/') && !raw.startsWith('\\')) {
    try {
      const abs = new URL(raw);
      raw = abs.pathname + abs.search;
    } catch {
      raw = '/' + raw;
    }
  }
  const q = raw.indexOf('?');
  const path = (q < 0 ? raw : raw.slice(0, q)).replace(/[\\/]+/g, '/');
  return new URL(path + (q < 0 ? '' : raw.slice(q)), 'http://collector');
}

/** True for the paths the viewer and the JSON API answer: never CORS. */
function isReadPath(path: string): boolean {
  return GET.has(path) || path === '/api' || path.startsWith('/api/');
}

async function handle(store: TraceStore, maxBodyBytes: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = requestUrl(req.url);
  const path = url.pathname;
  if (req.method === 'OPTIONS') {
    // A preflight for the API or the viewer is answered without granting anything.
    if (isReadPath(path)) {
      res.writeHead(204, { allow: 'GET, HEAD' });
      res.end();
      return;
    }
    res.writeHead(204, {
      ...CORS,
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': req.headers['access-control-request-headers'] ?? 'content-type, x-grpc-web, x-user-agent, grpc-timeout, authentication, sw8',
      'access-control-max-age': '86400',
    });
    res.end();
    return;
  }
  if (path === '/v3/logs' && req.method === 'POST') return receiveLogs(store, maxBodyBytes, req, res, CORS);
  const route = reportRoute(path, { browserGrpcWeb: true });
  const contentType = String(req.headers['content-type'] ?? '');
  if (route) {
    for (const [k, v] of Object.entries(CORS)) res.setHeader(k, v);
    const refused = await receiveReport(req, res, route, path, {
      maxBodyBytes,
      accept: (got) => {
        if (got.kind === 'segments') store.addSegments(got.segments);
        else if (got.kind === 'instance') store.addInstance(got.service, got.serviceInstance, got.properties);
        else if (got.path.startsWith('/browser/errorLog')) store.addBrowserErrors(got.items);
        else store.addBrowserPerfData(perfKindOfPath(got.path), got.items);
      },
    });
    if (refused) store.counts.rejected++;
    return;
  }
  // A gRPC-web call to a method this collector does not serve: UNIMPLEMENTED, as a gRPC-web
  // status (a JSON 404 would reach the client as an opaque HTTP error).
  if (grpcWebMode(contentType) && !isReadPath(path)) {
    req.resume();
    for (const [k, v] of Object.entries(CORS)) res.setHeader(k, v);
    return replyToReport(res, undefined, contentType, new ReportError(404, `unknown method ${path}`));
  }
  const get = GET.get(path) ?? (path.startsWith(TRACE_PREFIX) && path.length > TRACE_PREFIX.length ? traceById : undefined);
  if (!get) return json(res, 404, { error: `unknown path ${clipText(path)}` });
  if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: `${path} takes GET` });
  get(store, res, url);
}

type Get = (store: TraceStore, res: ServerResponse, url: URL) => void;

const TRACE_PREFIX = '/api/traces/';

// GET /api/traces/<id>.
const traceById: Get = (store, res, url) => {
  const path = url.pathname;
  let id: string;
  try {
    id = decodeURIComponent(path.slice(TRACE_PREFIX.length));
  } catch {
    return json(res, 400, { error: `${path}: the trace id is not valid percent-encoding` });
  }
  const trace = store.traces.get(id);
  if (!trace) return json(res, 404, { error: `no trace ${clipText(id)}` });
  // Segments stay in OAP's JSON form; problems found per segment travel beside them. Bounded:
  // a very large trace is answered in part, with `truncated`.
  json(res, 200, store.detail(trace));
};

const viewer: Get = (_store, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(VIEWER_HTML);
};

/** The GET paths: the viewer and the JSON API (besides {@link traceById}). */
const GET = new Map<string, Get>([
  ['/', viewer],
  ['/index.html', viewer],
  ['/api/traces', (store, res, url) => json(res, 200, store.list(Math.min(1000, Math.max(1, Number(url.searchParams.get('limit') ?? 200) || 200))))],
  [
    '/api/services',
    (store, res) => {
      const services = new Map<string, { service: string; instances: unknown[] }>();
      for (const inst of store.instances.values()) {
        const s = services.get(inst.service) ?? { service: inst.service, instances: [] };
        s.instances.push({ serviceInstance: inst.serviceInstance, properties: inst.properties, lastSeen: inst.lastSeen });
        services.set(inst.service, s);
      }
      json(res, 200, [...services.values()]);
    },
  ],
  ['/api/stats', (store, res) => json(res, 200, { ...store.counts, traces: store.traces.size, instances: store.instances.size, bytes: store.bytes, maxBytes: store.maxBytes })],
  ['/api/logs', (store, res) => json(res, 200, store.logs)],
  ['/api/meters', (store, res) => json(res, 200, store.meters)],
  ['/api/browser/errors', (store, res) => json(res, 200, store.browserErrors)],
  ['/api/browser/pages', (store, res, url) => json(res, 200, { pages: store.browser.pages(limitOf(url)), total: store.browser.pageCount, thresholds: VITAL_THRESHOLDS })],
  ['/api/browser/error-groups', (store, res, url) => json(res, 200, { groups: store.browser.errorGroups(limitOf(url)), total: store.browser.groupCount })],
  [
    '/api/logs/search',
    (store, res, url) => {
      const q = (k: string) => url.searchParams.get(k) ?? '';
      json(res, 200, searchLogs(store.logs, { service: q('service'), level: q('level'), text: q('text'), traceId: q('traceId'), limit: limitOf(url) }));
    },
  ],
  ['/api/meters/series', (store, res, url) => json(res, 200, listSeries(store.telemetry.series.values(), url.searchParams.get('service') ?? '', limitOf(url)))],
]);

/** `?limit=`: 1 to 1000, default 200. */
function limitOf(url: URL): number {
  return Math.min(1000, Math.max(1, Number(url.searchParams.get('limit') ?? 200) || 200));
}
