import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkReportLimits, decodeContentEncoding, decodeReport, grpcWebMode, readBody, replyToReport, ReportError, reportRoute } from '../server/index.js';
import type { TraceStore } from './store.js';
import { VIEWER_HTML } from './viewer-page.js';

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
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...CORS });
  res.end(JSON.stringify(value));
}

async function handle(store: TraceStore, maxBodyBytes: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://collector');
  const path = url.pathname;
  if (req.method === 'OPTIONS') {
    res.writeHead(204, {
      ...CORS,
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': req.headers['access-control-request-headers'] ?? 'content-type, x-grpc-web, x-user-agent, grpc-timeout, authentication, sw8',
      'access-control-max-age': '86400',
    });
    res.end();
    return;
  }
  const route = reportRoute(path, { browserGrpcWeb: true });
  const contentType = String(req.headers['content-type'] ?? '');
  if (route) {
    if (req.method !== 'POST') return json(res, 405, { error: `${path} takes POST` });
    for (const [k, v] of Object.entries(CORS)) res.setHeader(k, v);
    try {
      const raw = await readBody(req, maxBodyBytes);
      const body = await decodeContentEncoding(raw, req.headers['content-encoding'], maxBodyBytes);
      const got = decodeReport(route, path, contentType, body);
      if (got.kind === 'segments') {
        const over = checkReportLimits(got.segments);
        if (over) throw new ReportError(413, over);
        store.addSegments(got.segments);
      } else if (got.kind === 'instance') store.addInstance(got.service, got.serviceInstance, got.properties);
      else if (got.path.startsWith('/browser/errorLog')) store.addBrowserErrors(got.items);
      else store.addBrowserPerf(got.items.length);
      replyToReport(res, route, contentType);
    } catch (err) {
      store.counts.rejected++;
      replyToReport(res, route, contentType, err instanceof ReportError ? err : new ReportError(400, String(err)));
    }
    return;
  }
  // A gRPC-web call to a method this collector does not serve: UNIMPLEMENTED, as a gRPC-web
  // status (a JSON 404 would reach the client as an opaque HTTP error).
  if (grpcWebMode(contentType)) {
    req.resume();
    for (const [k, v] of Object.entries(CORS)) res.setHeader(k, v);
    return replyToReport(res, undefined, contentType, new ReportError(404, `unknown method ${path}`));
  }
  if (!isApiPath(path)) return json(res, 404, { error: `unknown path ${path}` });
  if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: `${path} takes GET` });
  if (path === '/' || path === '/index.html') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(VIEWER_HTML);
    return;
  }
  if (path === '/api/traces') {
    const limit = Math.min(1000, Math.max(1, Number(url.searchParams.get('limit') ?? 200) || 200));
    return json(res, 200, store.list(limit));
  }
  if (path.startsWith('/api/traces/')) {
    let id: string;
    try {
      id = decodeURIComponent(path.slice('/api/traces/'.length));
    } catch {
      return json(res, 400, { error: `${path}: the trace id is not valid percent-encoding` });
    }
    const trace = store.traces.get(id);
    if (!trace) return json(res, 404, { error: `no trace ${id}` });
    // Segments stay in OAP's JSON form; problems found per segment travel beside them.
    return json(res, 200, { traceId: id, segments: trace.segments, summary: store.summary(trace), segmentProblems: Object.fromEntries(trace.segmentProblems), problems: store.problemList(trace) });
  }
  if (path === '/api/services') {
    const services = new Map<string, { service: string; instances: unknown[] }>();
    for (const inst of store.instances.values()) {
      const s = services.get(inst.service) ?? { service: inst.service, instances: [] };
      s.instances.push({ serviceInstance: inst.serviceInstance, properties: inst.properties, lastSeen: inst.lastSeen });
      services.set(inst.service, s);
    }
    return json(res, 200, [...services.values()]);
  }
  if (path === '/api/stats') return json(res, 200, { ...store.counts, traces: store.traces.size, instances: store.instances.size, bytes: store.bytes, maxBytes: store.maxBytes });
  if (path === '/api/logs') return json(res, 200, store.logs);
  if (path === '/api/meters') return json(res, 200, store.meters);
  if (path === '/api/browser/errors') return json(res, 200, store.browserErrors);
  json(res, 404, { error: `unknown path ${path}` });
}

const API_PATHS = new Set(['/', '/index.html', '/api/traces', '/api/services', '/api/stats', '/api/logs', '/api/meters', '/api/browser/errors']);

/** The GET paths: the viewer and the JSON API. */
function isApiPath(path: string): boolean {
  return API_PATHS.has(path) || (path.startsWith('/api/traces/') && path.length > '/api/traces/'.length);
}
