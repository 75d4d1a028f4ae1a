import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import type * as Zlib from 'node:zlib';
import type { SegmentObject } from '../core/index.js';
import { encodeGrpcWebResponse, GrpcWebFormatError, parseGrpcWebFrames } from './grpc-web.js';
import { decodeMessage, decodeSegmentCollection, decodeSegmentObject, EMPTY_COMMANDS } from './proto.js';
import { DEFAULT_REPORT_LIMITS } from './limits.js';
import type { ReportLimits } from './limits.js';
import { scanJson, scanSegmentsProto } from './scan.js';
import type { ScanLimits, ScanRefusal } from './scan.js';
import { parseSegmentsJson, SegmentFormatError } from './segments.js';

/** The report endpoints OAP serves (gRPC-web paths and REST paths), relative to a base. */
export type ReportRoute =
  | 'grpc-web:collectInSync'
  | 'grpc-web:reportInstanceProperties'
  | 'grpc-web:keepAlive'
  | 'grpc-web:browser'
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

// The unary BrowserPerfService methods, which gRPC-web can carry (protocol.md §4.4;
// collectErrorLogs is a client stream, which it cannot), with the OAP REST path of the same data.
const BROWSER_GRPC_WEB: Record<string, { type: string; restPath: string }> = {
  '/skywalking.v3.BrowserPerfService/collectPerfData': { type: 'BrowserPerfData', restPath: '/browser/perfData' },
  '/skywalking.v3.BrowserPerfService/collectWebVitalsPerfData': { type: 'BrowserWebVitalsPerfData', restPath: '/browser/perfData/webVitals' },
  '/skywalking.v3.BrowserPerfService/collectResourcePerfData': { type: 'BrowserResourcePerfData', restPath: '/browser/perfData/resources' },
  '/skywalking.v3.BrowserPerfService/collectWebInteractionsPerfData': { type: 'BrowserWebInteractionsPerfData', restPath: '/browser/perfData/webInteractions' },
};

// OAP's browser REST endpoints take one object or a JSON array, each its own way (protocol.md §3.2).
const BROWSER_REST_SHAPE: Record<string, 'object' | 'array'> = {
  '/browser/perfData': 'object',
  '/browser/perfData/webVitals': 'object',
  '/browser/perfData/resources': 'array',
  '/browser/perfData/webInteractions': 'array',
  '/browser/errorLog': 'object',
  '/browser/errorLogs': 'array',
};

/** Options of {@link reportRoute}. */
export interface ReportRouteOptions {
  /**
   * Also route the four unary BrowserPerfService methods over gRPC-web (`grpc-web:browser`;
   * decoded as `{ kind: 'browser', path: <the OAP REST path of the same data> }`). Off by
   * default, so that a handler that forwards by request path does not claim them.
   */
  browserGrpcWeb?: boolean;
}

/** The route of a path (already stripped of any mount base), or undefined. */
export function reportRoute(path: string, options: ReportRouteOptions = {}): ReportRoute | undefined {
  if (options.browserGrpcWeb && Object.hasOwn(BROWSER_GRPC_WEB, path)) return 'grpc-web:browser';
  return Object.hasOwn(ROUTES, path) ? ROUTES[path] : undefined;
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

/** A content type's media type (`type/subtype`), lower-cased, without parameters. */
export function mediaType(contentType: string): string {
  const semi = contentType.indexOf(';');
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

// Exactly these, with optional parameters: a lookalike (`application/grpc-webx`,
// `application/jsonx`, `application/vnd.evil+json`) is not taken for one of them.
const GRPC_WEB_TYPES: Record<string, { text: boolean }> = {
  'application/grpc-web': { text: false },
  'application/grpc-web+proto': { text: false },
  'application/grpc-web-text': { text: true },
  'application/grpc-web-text+proto': { text: true },
};

/** True for gRPC-web content types; `text` for the base64 variant. */
export function grpcWebMode(contentType: string): { text: boolean } | undefined {
  const type = mediaType(contentType);
  return Object.hasOwn(GRPC_WEB_TYPES, type) ? GRPC_WEB_TYPES[type] : undefined;
}

/**
 * True for `application/json` (with optional parameters such as charset): what OAP's REST
 * receivers, our browser agent and skywalking-client-js (fetch, XHR and sendBeacon with a
 * JSON Blob) send. Nothing else is read as JSON.
 */
export function isJsonType(contentType: string): boolean {
  return mediaType(contentType) === 'application/json';
}

/** Deepest JSON or protobuf nesting a report may have: a segment array is six levels deep. */
const MAX_DEPTH = 32;

/** What {@link decodeReport} scans the body against before decoding it. */
function scanLimitsOf(limits: ReportLimits, segments: boolean): ScanLimits {
  const nested = Math.max(limits.maxSegmentsPerRequest, limits.maxSpansPerSegment);
  return { topLevel: segments ? limits.maxSegmentsPerRequest : nested, nested, depth: MAX_DEPTH, noun: segments ? 'segments' : 'items' };
}

const refuse = (r: ScanRefusal | undefined): void => {
  if (r) throw new ReportError(r.status, r.message);
};

/** JSON of a body, scanned first so that refusing it never costs a full decode. */
function parseJson(body: Buffer, limits: ScanLimits): unknown {
  refuse(scanJson(body, limits));
  return JSON.parse(body.toString('utf8')) as unknown;
}

/**
 * Decodes a report body for `route`. Counts are scanned before anything is materialised:
 * a body with more items, spans or nested elements than `limits` allow gets 413 at the cost
 * of one pass over its bytes. Throws {@link ReportError} with a 4xx status on bad input.
 */
export function decodeReport(route: ReportRoute, path: string, contentType: string, body: Buffer, limits: ReportLimits = DEFAULT_REPORT_LIMITS): Received {
  const segmentScan = scanLimitsOf(limits, true);
  const protoScan = { segments: limits.maxSegmentsPerRequest, spans: limits.maxSpansPerSegment, nested: segmentScan.nested };
  try {
    if (route.startsWith('grpc-web:')) {
      const mode = grpcWebMode(contentType);
      if (!mode) throw new ReportError(415, `gRPC-web endpoint: content-type must be application/grpc-web(+proto) or application/grpc-web-text, got "${contentType}"`);
      const { messages } = parseGrpcWebFrames(body, mode.text);
      if (messages.length !== 1) throw new ReportError(400, `unary call: expected 1 message, got ${messages.length}`);
      const msg = messages[0]!;
      if (route === 'grpc-web:collectInSync') {
        refuse(scanSegmentsProto(msg, protoScan));
        return { kind: 'segments', segments: decodeSegmentCollection(msg) };
      }
      if (route === 'grpc-web:browser') {
        const method = BROWSER_GRPC_WEB[path];
        if (!method) throw new ReportError(404, `${path} is not a BrowserPerfService unary method`);
        return { kind: 'browser', path: method.restPath, items: [decodeMessage(method.type, msg)] };
      }
      const ping = route === 'grpc-web:keepAlive';
      return instance(decodeMessage(ping ? 'InstancePingPkg' : 'InstanceProperties', msg), !ping);
    }
    const json = isJsonType(contentType);
    const otherScan = scanLimitsOf(limits, false);
    switch (route) {
      case 'rest:segments':
        if (!json) throw new ReportError(415, '/v3/segments takes a JSON array (content-type application/json)');
        refuse(scanJson(body, segmentScan));
        return { kind: 'segments', segments: parseSegmentsJson(body.toString('utf8'), 'array') };
      case 'rest:segment':
        // OAP: JSON by content type; binary protobuf when the type is absent, mentions protobuf, or is octet-stream.
        if (json) {
          refuse(scanJson(body, segmentScan));
          return { kind: 'segments', segments: parseSegmentsJson(body.toString('utf8'), 'object') };
        }
        if (!contentType || /protobuf|octet-stream/i.test(contentType)) {
          refuse(scanSegmentsProto(body, protoScan, true));
          return { kind: 'segments', segments: [decodeSegmentObject(body)] };
        }
        throw new ReportError(415, `/v3/segment takes JSON or protobuf, got "${contentType}"`);
      case 'rest:reportProperties':
      case 'rest:keepAlive': {
        if (!json) throw new ReportError(415, 'management endpoints take JSON (content-type application/json)');
        const value = parseJson(body, otherScan);
        if (!isObject(value)) throw new ReportError(400, `${path} takes a JSON object`);
        return instance(value, route === 'rest:reportProperties');
      }
      default: {
        if (!json) throw new ReportError(415, 'browser endpoints take JSON (content-type application/json)');
        const value = parseJson(body, otherScan);
        const shape = BROWSER_REST_SHAPE[path];
        if (shape === 'array') {
          if (!Array.isArray(value)) throw new ReportError(400, `${path} takes a JSON array of objects`);
          const bad = value.findIndex((v) => !isObject(v));
          if (bad >= 0) throw new ReportError(400, `${path}: item ${bad} is not an object`);
          return { kind: 'browser', path, items: value };
        }
        if (!isObject(value)) throw new ReportError(400, `${path} takes a JSON object`);
        return { kind: 'browser', path, items: [value] };
      }
    }
  } catch (err) {
    if (err instanceof ReportError) throw err;
    if (err instanceof SegmentFormatError || err instanceof GrpcWebFormatError || err instanceof SyntaxError)
      throw new ReportError(400, err.message);
    throw new ReportError(400, `malformed message: ${(err as Error).message}`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// InstanceProperties / InstancePingPkg. A ping carries no properties (OAP ignores unknown
// JSON keys, so a `properties` key on a ping is dropped rather than stored).
function instance(m: Record<string, unknown>, withProperties: boolean): Received {
  if (typeof m.service !== 'string' || !m.service || typeof m.serviceInstance !== 'string' || !m.serviceInstance)
    throw new ReportError(400, 'service and serviceInstance must be non-empty strings');
  if (!withProperties) return { kind: 'instance', service: m.service, serviceInstance: m.serviceInstance };
  const raw = m.properties ?? [];
  if (!Array.isArray(raw)) throw new ReportError(400, 'properties must be an array of { key, value } string pairs');
  const properties = raw.map((p: unknown, i) => {
    if (!isObject(p) || typeof p.key !== 'string' || (p.value !== undefined && p.value !== null && typeof p.value !== 'string'))
      throw new ReportError(400, `properties[${i}] must be { key, value } with string values`);
    return { key: p.key, value: typeof p.value === 'string' ? p.value : '' };
  });
  return { kind: 'instance', service: m.service, serviceInstance: m.serviceInstance, properties };
}

type Inflate = (body: Buffer, options: { maxOutputLength: number }) => Promise<Buffer>;
const CODINGS = ['gzip', 'x-gzip', 'deflate', 'br'] as const;
let inflateBody: Record<(typeof CODINGS)[number], Inflate> | undefined;

/**
 * The decoders, made when the first compressed body arrives: node:zlib (~1 MiB RSS) is not
 * loaded by a process that never receives one.
 */
function inflaters(): Record<(typeof CODINGS)[number], Inflate> {
  if (!inflateBody) {
    // import.meta.url is empty where a bundler turned this into CommonJS: its own require then.
    const load = typeof import.meta.url === 'string' ? createRequire(import.meta.url) : require;
    const { brotliDecompress, gunzip, inflate } = load('node:zlib') as typeof Zlib;
    inflateBody = { gzip: promisify(gunzip), 'x-gzip': promisify(gunzip), deflate: promisify(inflate), br: promisify(brotliDecompress) };
  }
  return inflateBody;
}

// No client stacks more than this; each step is bounded by the limit anyway.
const MAX_CODINGS = 2;

/**
 * Undoes a request's `Content-Encoding` (gzip, deflate, br; several are undone last first),
 * as OAP's HTTP server does (protocol.md §3.1). The decoded body may be at most `limit`
 * bytes (413 beyond, so a small bomb cannot fill memory); an unknown encoding gets 415 and a
 * corrupt body 400.
 */
export async function decodeContentEncoding(body: Buffer, contentEncoding: string | undefined, limit: number): Promise<Buffer> {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'identity');
  if (codings.length > MAX_CODINGS) throw new ReportError(415, `more than ${MAX_CODINGS} content-encodings`);
  let out = body;
  for (const coding of codings.reverse()) {
    const decode = (CODINGS as readonly string[]).includes(coding) ? inflaters()[coding as (typeof CODINGS)[number]] : undefined;
    if (!decode) throw new ReportError(415, `content-encoding "${coding}" is not supported (gzip, deflate, br)`);
    try {
      out = await decode(out, { maxOutputLength: limit });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new ReportError(413, `decoded body over the ${limit}-byte limit`);
      throw new ReportError(400, `body is not valid ${coding}: ${(err as Error).message}`);
    }
  }
  return out;
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

// HTTP status → gRPC status: 404 and 405 are UNIMPLEMENTED (12), as PROTOCOL-HTTP2 maps them.
const GRPC_FOR_HTTP: Record<number, number> = { 400: 3, 403: 7, 404: 12, 405: 12, 413: 8, 415: 3, 429: 8, 503: 14 };

/**
 * Answers a report the way OAP or a gRPC-web server would: Commands and a trailer, or 2xx
 * JSON; errors as 4xx or grpc-status. With no route (an unknown path), a gRPC-web content
 * type still gets a gRPC-web answer, so gRPC-web clients read a status instead of a JSON body.
 */
export function replyToReport(res: ServerResponse, route: ReportRoute | undefined, contentType: string, error?: ReportError): void {
  const mode = !route || route.startsWith('grpc-web:') ? grpcWebMode(contentType) : undefined;
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
