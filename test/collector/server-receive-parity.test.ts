// The collector's HTTP port and the Node ingest handler run one receive pipeline
// (src/server/receive-pipeline.ts): the same bodies get the same answers from both.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector } from '../../src/collector/index.js';
import type { Collector } from '../../src/collector/index.js';
import { createIngestHandler, encodeSegmentCollection, InMemoryReporter, Tracer } from '../../src/node/index.js';
import type { SegmentObject } from '../../src/node/index.js';

let collector: Collector;
let ingestUrl: string;
let server: http.Server;
beforeAll(async () => {
  collector = await startCollector({ grpcPort: 0, httpPort: 0 });
  const ingest = createIngestHandler({ reporter: new InMemoryReporter(), ratePerSecond: 0 });
  server = http.createServer((req, res) => void (ingest(req, res) || res.end('app')));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  ingestUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/skywalking`;
});
afterAll(async () => {
  await collector.close();
  await new Promise((r) => server.close(r));
});

function segments(): SegmentObject[] {
  const mem = new InMemoryReporter();
  const t = new Tracer({ service: 'web', serviceInstance: '1.0', reporter: mem });
  const ctx = t.createTracingContext({ endpoint: '/page' });
  ctx.createExitSpan('/api', null, 'api:443').end();
  return mem.segments;
}

function grpcWebFrame(msg: Uint8Array): Buffer {
  const b = Buffer.alloc(5 + msg.length);
  b.writeUInt32BE(msg.length, 1);
  b.set(msg, 5);
  return b;
}

interface Case {
  name: string;
  path: string;
  body: () => Buffer;
  headers: Record<string, string>;
  status: number;
  grpcStatus?: string;
}

const json = () => Buffer.from(JSON.stringify(segments()));
const CASES: Case[] = [
  { name: 'good JSON', path: '/v3/segments', body: json, headers: { 'content-type': 'application/json' }, status: 200 },
  { name: 'JSON with charset', path: '/v3/segments', body: json, headers: { 'content-type': 'application/json; charset=utf-8' }, status: 200 },
  { name: 'gzip', path: '/v3/segments', body: () => gzipSync(json()), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, status: 200 },
  { name: 'br', path: '/v3/segments', body: () => brotliCompressSync(json()), headers: { 'content-type': 'application/json', 'content-encoding': 'br' }, status: 200 },
  { name: 'deflate', path: '/v3/segments', body: () => deflateSync(json()), headers: { 'content-type': 'application/json', 'content-encoding': 'deflate' }, status: 200 },
  { name: 'identity', path: '/v3/segments', body: json, headers: { 'content-type': 'application/json', 'content-encoding': 'identity' }, status: 200 },
  { name: '"br, x"', path: '/v3/segments', body: () => brotliCompressSync(json()), headers: { 'content-type': 'application/json', 'content-encoding': 'br, x' }, status: 415 },
  { name: 'unknown coding', path: '/v3/segments', body: json, headers: { 'content-type': 'application/json', 'content-encoding': 'compress' }, status: 415 },
  { name: 'corrupt gzip', path: '/v3/segments', body: json, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, status: 400 },
  { name: 'application/jsonx', path: '/v3/segments', body: json, headers: { 'content-type': 'application/jsonx' }, status: 415 },
  { name: 'application/vnd.evil+json', path: '/v3/segments', body: json, headers: { 'content-type': 'application/vnd.evil+json' }, status: 415 },
  { name: 'text/plain', path: '/v3/segments', body: json, headers: { 'content-type': 'text/plain' }, status: 415 },
  { name: 'bad JSON', path: '/v3/segments', body: () => Buffer.from('[{"traceId":'), headers: { 'content-type': 'application/json' }, status: 400 },
  { name: 'GET', path: '/v3/segments', body: () => Buffer.alloc(0), headers: {}, status: 405 },
  {
    name: 'gRPC-web',
    path: '/skywalking.v3.TraceSegmentReportService/collectInSync',
    body: () => grpcWebFrame(encodeSegmentCollection(segments())),
    headers: { 'content-type': 'application/grpc-web+proto' },
    status: 200,
    grpcStatus: '0',
  },
  {
    name: 'gRPC-web, gzip',
    path: '/skywalking.v3.TraceSegmentReportService/collectInSync',
    body: () => gzipSync(grpcWebFrame(encodeSegmentCollection(segments()))),
    headers: { 'content-type': 'application/grpc-web+proto', 'content-encoding': 'gzip' },
    status: 200,
    grpcStatus: '0',
  },
  {
    name: 'gRPC-web, a lookalike type',
    path: '/skywalking.v3.TraceSegmentReportService/collectInSync',
    body: () => grpcWebFrame(encodeSegmentCollection(segments())),
    headers: { 'content-type': 'application/grpc-webx' },
    status: 415,
  },
  { name: 'keepAlive JSON', path: '/v3/management/keepAlive', body: () => Buffer.from('{"service":"web","serviceInstance":"1"}'), headers: { 'content-type': 'application/json' }, status: 200 },
];

async function send(base: string, c: Case): Promise<{ status: number; grpcStatus: string | null }> {
  const method = c.name === 'GET' ? 'GET' : 'POST';
  const res = await fetch(base + c.path, { method, headers: c.headers, ...(method === 'POST' ? { body: new Uint8Array(c.body()) } : {}) });
  await res.arrayBuffer();
  return { status: res.status, grpcStatus: res.headers.get('grpc-status') };
}

describe('collector and ingest handler accept exactly the same inputs', () => {
  it.each(CASES)('$name', async (c) => {
    const atCollector = await send(collector.httpUrl, c);
    const atIngest = await send(ingestUrl, c);
    expect({ collector: atCollector.status, ingest: atIngest.status }).toEqual({ collector: c.status, ingest: c.status });
    if (c.grpcStatus) expect({ collector: atCollector.grpcStatus, ingest: atIngest.grpcStatus }).toEqual({ collector: c.grpcStatus, ingest: c.grpcStatus });
  });
});
