import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SegmentObject } from '../core/index.js';
import { encodeGrpcWebResponse, GrpcWebFormatError, parseGrpcWebFrames } from './grpc-web.js';
import { decodeMessage, decodeSegmentCollection, decodeSegmentObject, EMPTY_COMMANDS } from './proto.js';
import { parseSegmentsJson, SegmentFormatError } from './segments.js';

/** The report endpoints OAP serves (gRPC-web paths and REST paths), relative to a base. */
export type ReportRoute =
  | 'grpc-web:collectInSync'
  | 'grpc-web:reportInstanceProperties'
  | 'grpc-web:keepAlive'
  | 'rest:segments'
  | 'rest:segment'
  | 'rest:reportProperties'
  | 'rest:keepAlive'
  | 'rest:browser';

const ROUTES: Record<string, ReportRoute> = {
  '/skywalking.v3.TraceSegmentReportService/collectInSync': 'grpc-web:collectInSync',
  '/skywalking.v3.ManagementService/reportInstanceProperties': 'grpc-web:reportInstanceProperties',
  '/skywalking.v3.ManagementService/keepAlive': 'grpc-web:keepAlive',
  '/v3/segments': 'rest:segments',
  '/v3/segment': 'rest:segment',
  '/v3/management/reportProperties': 'rest:reportProperties',
  '/v3/management/keepAlive': 'rest:keepAlive',
  '/browser/perfData': 'rest:browser',
  '/browser/perfData/webVitals': 'rest:browser',
  '/browser/perfData/resources': 'rest:browser',
  '/browser/perfData/webInteractions': 'rest:browser',
  '/browser/errorLog': 'rest:browser',
  '/browser/errorLogs': 'rest:browser',
};

/** The route of a path (already stripped of any mount base), or undefined. */
export function reportRoute(path: string): ReportRoute | undefined {
  return ROUTES[path];
}

/** A report that cannot be accepted; `status` is the HTTP status to answer with. */
export class ReportError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ReportError';
  }
}

/** What a report carried. */
export type Received =
  | { kind: 'segments'; segments: SegmentObject[] }
  | { kind: 'instance'; service: string; serviceInstance: string; properties?: Array<{ key: string; value: string }> }
  | { kind: 'browser'; path: string; items: unknown[] };

/** True for gRPC-web content types; `text` for the base64 variant. */
export function grpcWebMode(contentType: string): { text: boolean } | undefined {
  const ct = contentType.toLowerCase();
  if (!ct.startsWith('application/grpc-web')) return undefined;
  return { text: ct.startsWith('application/grpc-web-text') };
}

/** Decodes a report body for `route`. Throws {@link ReportError} with a 4xx status on bad input. */
export function decodeReport(route: ReportRoute, path: string, contentType: string, body: Buffer): Received {
  try {
    if (route.startsWith('grpc-web:')) {
      const mode = grpcWebMode(contentType);
      if (!mode) throw new ReportError(415, `gRPC-web endpoint: content-type must be application/grpc-web(+proto) or application/grpc-web-text, got "${contentType}"`);
      const { messages } = parseGrpcWebFrames(body, mode.text);
      if (messages.length !== 1) throw new ReportError(400, `unary call: expected 1 message, got ${messages.length}`);
      const msg = messages[0]!;
      if (route === 'grpc-web:collectInSync') return { kind: 'segments', segments: decodeSegmentCollection(msg) };
      return instance(decodeMessage(route === 'grpc-web:keepAlive' ? 'InstancePingPkg' : 'InstanceProperties', msg));
    }
    const json = /(^application\/json|\+json)/i.test(contentType);
    const text = () => body.toString('utf8');
    switch (route) {
      case 'rest:segments':
        if (!json) throw new ReportError(415, '/v3/segments takes a JSON array (content-type application/json)');
        return { kind: 'segments', segments: parseSegmentsJson(text(), 'array') };
      case 'rest:segment':
        // OAP: JSON by content type; binary protobuf when the type is absent, mentions protobuf, or is octet-stream.
        if (json) return { kind: 'segments', segments: parseSegmentsJson(text(), 'object') };
        if (!contentType || /protobuf|octet-stream/i.test(contentType)) return { kind: 'segments', segments: [decodeSegmentObject(body)] };
        throw new ReportError(415, `/v3/segment takes JSON or protobuf, got "${contentType}"`);
      case 'rest:reportProperties':
      case 'rest:keepAlive': {
        if (!json) throw new ReportError(415, 'management endpoints take JSON');
        return instance(JSON.parse(text()) as Record<string, unknown>);
      }
      default: {
        if (!json) throw new ReportError(415, 'browser endpoints take JSON');
        const value = JSON.parse(text()) as unknown;
        return { kind: 'browser', path, items: Array.isArray(value) ? value : [value] };
      }
    }
  } catch (err) {
    if (err instanceof ReportError) throw err;
    if (err instanceof SegmentFormatError || err instanceof GrpcWebFormatError || err instanceof SyntaxError)
      throw new ReportError(400, err.message);
    throw new ReportError(400, `malformed message: ${(err as Error).message}`);
  }
}

function instance(m: Record<string, unknown>): Received {
  if (typeof m.service !== 'string' || typeof m.serviceInstance !== 'string') throw new ReportError(400, 'service and serviceInstance are required');
  return { kind: 'instance', service: m.service, serviceInstance: m.serviceInstance, properties: m.properties as Array<{ key: string; value: string }> | undefined };
}

/** Reads a request body up to `limit` bytes; rejects with a 413 ReportError beyond it. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      return reject(new ReportError(413, `body over the ${limit}-byte limit`));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new ReportError(413, `body over the ${limit}-byte limit`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', (err) => reject(new ReportError(400, err.message)));
  });
}

const GRPC_FOR_HTTP: Record<number, number> = { 400: 3, 403: 7, 405: 12, 413: 8, 415: 3, 429: 8, 503: 14 };

/** Answers a report the way OAP or a gRPC-web server would: Commands and a trailer, or 2xx JSON; errors as 4xx or grpc-status. */
export function replyToReport(res: ServerResponse, route: ReportRoute | undefined, contentType: string, error?: ReportError): void {
  const mode = route?.startsWith('grpc-web:') ? grpcWebMode(contentType) : undefined;
  if (mode && (!error || error.status !== 415)) {
    const status = error ? (GRPC_FOR_HTTP[error.status] ?? 2) : 0;
    res.writeHead(200, {
      'content-type': mode.text ? 'application/grpc-web-text+proto' : 'application/grpc-web+proto',
      'grpc-status': String(status),
      ...(error ? { 'grpc-message': encodeURIComponent(error.message) } : {}),
    });
    res.end(encodeGrpcWebResponse(EMPTY_COMMANDS, status, error?.message, mode.text));
    return;
  }
  if (error) {
    res.writeHead(error.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: error.message }));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{}');
}
