// A bare SkyWalking receiver for browser tests: takes gRPC-web `collectInSync` and OAP's
// `POST /v3/segments`, keeps every request as it arrived (headers, raw body) and decodes it
// with protobufjs over proto/ (the reference decoder, not our own code). Answers can be
// scripted to test retries. Cross-origin callers get CORS answers like a gateway's.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { frameMessages, splitFrames, TRAILER_FLAG, type GrpcFrame } from '../../src/server/grpc-frame.js';
import { decodeAs } from '../../test/helpers/proto.js';

export const GRPC_WEB_PATH = '/skywalking.v3.TraceSegmentReportService/collectInSync';
export const HTTP_PATH = '/v3/segments';

/** One report as received. */
export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Decoded segments (protobuf through SegmentCollection, or the JSON array as sent). */
  segments: Array<Record<string, any>>;
  /** What the receiver answered. */
  answer: Answer;
}

/** A scripted answer: `ok` (trailer status 0 / 200), an HTTP status, or a gRPC status in the trailer or in the headers. */
export type Answer = 'ok' | { http: number } | { grpc: number; in: 'trailer' | 'headers' };

export interface Receiver {
  url: string;
  received: Received[];
  /** Answers for the next reports, in order; then `ok`. */
  script: Answer[];
  /** Every segment received so far. */
  segments(): Array<Record<string, any>>;
  close(): Promise<void>;
}

/** Splits a gRPC-web body into frames; throws on a malformed one. */
export function parseFrames(body: Buffer): readonly GrpcFrame[] {
  const split = splitFrames(body);
  if (split.error !== undefined) throw new Error(split.error);
  return split.frames;
}

const trailerFrame = (text: string): Buffer => frameMessages([Buffer.from(text)], TRAILER_FLAG);

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const script: Answer[] = [];
  const server = http.createServer((req, res) => {
    res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
    res.setHeader('access-control-allow-headers', 'content-type, x-grpc-web, x-user-agent');
    res.setHeader('access-control-expose-headers', 'grpc-status, grpc-message');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = new URL(req.url!, 'http://x').pathname;
      const answer = script.shift() ?? 'ok';
      let segments: Array<Record<string, any>>;
      if (path.endsWith(GRPC_WEB_PATH)) {
        const data = parseFrames(body).filter((f) => f.flag === 0);
        segments = data.flatMap((f) => (decodeAs('SegmentCollection', f.payload).segments as Array<Record<string, any>>) ?? []);
      } else if (path.endsWith(HTTP_PATH)) segments = JSON.parse(body.toString('utf8'));
      else return void res.writeHead(404).end();
      received.push({ path, headers: req.headers, body, segments, answer });
      if (answer !== 'ok' && 'http' in answer) return void res.writeHead(answer.http).end();
      if (path.endsWith(HTTP_PATH)) return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      if (answer !== 'ok' && answer.in === 'headers')
        return void res.writeHead(200, { 'content-type': 'application/grpc-web+proto', 'grpc-status': String(answer.grpc), 'grpc-message': 'scripted' }).end();
      const code = answer === 'ok' ? 0 : answer.grpc;
      // An empty Commands message, then the trailer frame.
      res.writeHead(200, { 'content-type': 'application/grpc-web+proto' });
      res.end(Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), trailerFrame(`grpc-status:${code}\r\ngrpc-message:${code ? 'scripted' : ''}\r\n`)]));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    script,
    segments: () => received.filter((r) => r.answer === 'ok').flatMap((r) => r.segments),
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}
