// The ingest handler runs inside the user's app: hostile input must be refused cheaply (the
// app's own routes keep answering), integers must not wrap, and a browser segment cannot
// claim to continue another service's trace.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';
import { afterAll, describe, expect, it } from 'vitest';
import { createIngestHandler, InMemoryReporter, Tracer } from '../../src/node/index.js';
import type { SegmentObject } from '../../src/node/index.js';
import { sleep } from '../helpers/wait.js';

const COLLECT_IN_SYNC = '/skywalking/skywalking.v3.TraceSegmentReportService/collectInSync';
const servers: http.Server[] = [];
afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

const sink = new InMemoryReporter();
const ingest = createIngestHandler({ reporter: sink });

/** The app: its own route `/app` answers at once; the ingest handler takes its paths. */
async function app(): Promise<number> {
  const s = http.createServer((req, res) => void (ingest(req, res) || res.end('app')));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  servers.push(s);
  return (s.address() as AddressInfo).port;
}

/** POSTs over a fresh socket; resolves with the status and answer. */
function post(port: number, path: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers: { ...headers, 'content-length': body.length } }, (res) => {
      let text = '';
      res.setEncoding('latin1');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One GET of the app's own route; resolves with the milliseconds it took. */
function ping(port: number): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/app', agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(performance.now() - t0));
      })
      .on('error', reject);
  });
}

const MiB = 1024 * 1024;
// `[{},{},…]`: 1 MiB of empty objects, ~349k of them.
const emptyObjects = () => Buffer.from('[' + '{},'.repeat((MiB - 8) / 3) + '{}]');
// gRPC-web: one frame holding ~524k empty SegmentObjects (field 1, length 0).
function emptySubMessages(): Buffer {
  const n = Math.floor((MiB - 5) / 2);
  const b = Buffer.alloc(5 + 2 * n);
  b.writeUInt32BE(2 * n, 1);
  for (let i = 0; i < n; i++) b[5 + 2 * i] = 0x0a;
  return b;
}

/**
 * Sends ten bodies together and pings the app's route (every 20 ms, at least three times)
 * until all are answered. Measures the CPU time (user + system) the process spends meanwhile:
 * the app's thread is busy that long at most, so on a free core a request to its own route
 * never waits longer. Unlike a ping's wall time, a busy machine lending this process fewer
 * cycles does not inflate it; decoding every body (the old way) costs seconds of it.
 */
async function costOfTenBodies(port: number, send: () => Promise<{ status: number }>): Promise<{ cpuMs: number; pings: number; statuses: number[] }> {
  const cpu0 = process.cpuUsage();
  let done = false;
  const all = Promise.all(Array.from({ length: 10 }, send)).finally(() => (done = true));
  let pings = 0;
  while (!done || pings < 3) {
    await ping(port);
    pings++;
    await sleep(20); // pacing, so the pings' own cost stays small
  }
  const statuses = (await all).map((r) => r.status);
  const used = process.cpuUsage(cpu0);
  return { cpuMs: (used.user + used.system) / 1000, pings, statuses };
}

describe('ingest handler: refusing is cheap', () => {
  it('keeps the app answering within 500 ms while ten 1 MiB `[{},{},…]` bodies arrive', async () => {
    const port = await app();
    const body = emptyObjects();
    expect(body.length).toBeLessThanOrEqual(MiB);
    const r = await costOfTenBodies(port, () => post(port, '/skywalking/v3/segments', body, { 'content-type': 'application/json' }));
    expect(r.statuses).toEqual(Array(10).fill(413));
    expect(r.cpuMs).toBeLessThan(500);
  });

  it('keeps the app answering within 500 ms while ten 1 MiB gRPC-web bodies of empty sub-messages arrive', async () => {
    const port = await app();
    const body = emptySubMessages();
    expect(body.length).toBeLessThanOrEqual(MiB);
    const r = await costOfTenBodies(port, () => post(port, COLLECT_IN_SYNC, body, { 'content-type': 'application/grpc-web+proto' }));
    const answers = await post(port, COLLECT_IN_SYNC, body, { 'content-type': 'application/grpc-web+proto' });
    // RESOURCE_EXHAUSTED, in the gRPC-web trailer.
    expect(answers.headers['grpc-status']).toBe('8');
    expect(r.statuses).toEqual(Array(10).fill(200));
    expect(r.cpuMs).toBeLessThan(500);
  });

  it('refuses one segment with too many spans before decoding it', async () => {
    const port = await app();
    const body = Buffer.from('[{"spans":[' + '{},'.repeat(100_000) + '{}]}]');
    const r = await post(port, '/skywalking/v3/segments', body, { 'content-type': 'application/json' });
    expect(r.status).toBe(413);
  });
});

function browserSegment(): SegmentObject {
  const mem = new InMemoryReporter();
  const t = new Tracer({ service: 'web', serviceInstance: '1.0', reporter: mem });
  const ctx = t.createTracingContext({ endpoint: '/page' });
  ctx.createExitSpan('/api', null, 'api:443').end();
  return mem.segments[0]!;
}

describe('ingest handler: integers are refused, not wrapped', () => {
  const cases: Array<[string, (s: Record<string, any>) => void, RegExp]> = [
    ['spanId over int32', (s) => (s.spans[0].spanId = 4294967303), /spans\[0\]\.spanId/],
    ['startTime string beyond int64', (s) => (s.spans[0].startTime = '9999999999999999999'), /spans\[0\]\.startTime/],
    ['parentSpanId 2^40-1', (s) => (s.spans[0].parentSpanId = 2 ** 40 - 1), /spans\[0\]\.parentSpanId/],
    ['negative startTime', (s) => (s.spans[0].startTime = -1), /spans\[0\]\.startTime/],
    ['endTime beyond 2^53', (s) => (s.spans[0].endTime = 2 ** 60), /spans\[0\]\.endTime/],
    ['componentId string over int32', (s) => (s.spans[0].componentId = '2147483648'), /spans\[0\]\.componentId/],
  ];
  it.each(cases)('%s: 400 naming the field', async (_name, mutate, field) => {
    const port = await app();
    const seg = JSON.parse(JSON.stringify(browserSegment())) as Record<string, any>;
    mutate(seg);
    const before = sink.segments.length;
    const r = await post(port, '/skywalking/v3/segments', Buffer.from(JSON.stringify([seg])), { 'content-type': 'application/json' });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error).toMatch(field);
    expect(sink.segments.length).toBe(before);
  });

  it('accepts in-range digit strings (proto3 JSON int64)', async () => {
    const port = await app();
    const seg = JSON.parse(JSON.stringify(browserSegment())) as Record<string, any>;
    seg.spans[0].startTime = String(seg.spans[0].startTime);
    seg.spans[0].spanId = '0';
    const r = await post(port, '/skywalking/v3/segments', Buffer.from(JSON.stringify([seg])), { 'content-type': 'application/json' });
    expect(r.status).toBe(200);
  });

  it('gRPC-web: a spanId varint beyond int32 gets INVALID_ARGUMENT naming the field', async () => {
    const port = await app();
    const seg = browserSegment();
    const W = protobuf.Writer;
    // spanId (field 1) written as a raw 64-bit varint 4294967303, which an int32 decoder reads as 7.
    const span = W.create().uint32(8).uint64(4294967303).uint32(16).int32(-1).uint32(24).int64(seg.spans[0]!.startTime).uint32(32).int64(seg.spans[0]!.endTime).uint32(50).string('/page').finish();
    const segment = W.create().uint32(10).string(seg.traceId).uint32(18).string(seg.traceSegmentId).uint32(26).bytes(span).uint32(34).string('web').uint32(42).string('1.0').finish();
    const msg = W.create().uint32(10).bytes(segment).finish();
    const frame = Buffer.alloc(5 + msg.length);
    frame.writeUInt32BE(msg.length, 1);
    frame.set(msg, 5);
    const r = await post(port, COLLECT_IN_SYNC, frame, { 'content-type': 'application/grpc-web+proto' });
    expect(r.headers['grpc-status']).toBe('3');
    expect(decodeURIComponent(String(r.headers['grpc-message']))).toMatch(/spanId/);
  });
});

describe('ingest handler: browser segments start traces', () => {
  it('refuses a CrossProcess reference (400 naming the field) and forwards nothing', async () => {
    const port = await app();
    const seg = JSON.parse(JSON.stringify(browserSegment())) as Record<string, any>;
    seg.spans[0].refs = [
      { refType: 'CrossProcess', traceId: seg.traceId, parentTraceSegmentId: 'abc', parentSpanId: 0, parentService: 'payments', parentServiceInstance: 'p-1', parentEndpoint: '/charge', networkAddressUsedAtPeer: 'web:80' },
    ];
    const before = sink.segments.length;
    const r = await post(port, '/skywalking/v3/segments', Buffer.from(JSON.stringify([seg])), { 'content-type': 'application/json' });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error).toMatch(/spans\[0\]\.refs\[0\]/);
    expect(sink.segments.length).toBe(before);
  });

  it('refuses a CrossThread reference naming another service', async () => {
    const port = await app();
    const seg = JSON.parse(JSON.stringify(browserSegment())) as Record<string, any>;
    seg.spans[0].refs = [{ refType: 'CrossThread', traceId: seg.traceId, parentTraceSegmentId: 'abc', parentSpanId: 0, parentService: 'payments', parentServiceInstance: 'p-1', parentEndpoint: '/charge' }];
    const r = await post(port, '/skywalking/v3/segments', Buffer.from(JSON.stringify([seg])), { 'content-type': 'application/json' });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error).toMatch(/refs\[0\]/);
  });
});
