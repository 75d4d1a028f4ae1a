// The ingest handler over real sockets: gRPC-web (binary and text) and OAP JSON in, answers
// like OAP / a gRPC-web server out, bad input refused with 4xx or grpc-status, segments
// forwarded through a real gRPC reporter to a collector.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Koa from 'koa';
import { afterAll, describe, expect, it } from 'vitest';
import { browserSegments } from '../helpers/traces.js';
import { createIngestHandler, createNodeReporter, encodeSegment, encodeSegmentCollection, InMemoryReporter } from '../../src/node/index.js';
import type { IngestHandler, SegmentObject } from '../../src/node/index.js';
import { RateLimiter } from '../../src/node/ingest/rate-limiter.js';
import { decodeCommands, parseGrpcWebFrames } from '../../src/server/index.js';
import { startGrpcCollector } from '../helpers/grpc-collector.js';

const COLLECT_IN_SYNC = '/skywalking.v3.TraceSegmentReportService/collectInSync';
const servers: http.Server[] = [];
afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

/** Serves `handler` (sync or async, as a Koa callback is). */
async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>): Promise<string> {
  const s = http.createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  servers.push(s);
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

const plain = (ingest: IngestHandler) => serve((req, res) => void (ingest(req, res) || res.end('app')));

function frame(msg: Uint8Array, flag = 0): Buffer {
  const b = Buffer.alloc(5 + msg.length);
  b[0] = flag;
  b.writeUInt32BE(msg.length, 1);
  b.set(msg, 5);
  return b;
}

// Bytes are copied into a plain ArrayBuffer-backed view, which is what fetch's types take.
const post = (url: string, body: BodyInit | Uint8Array, type: string | undefined, extra: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', body: body instanceof Uint8Array ? new Uint8Array(body) : body, headers: { ...(type ? { 'content-type': type } : {}), ...extra } });

describe('ingest handler: gRPC-web', () => {
  const sink = new InMemoryReporter();
  const ingest = createIngestHandler({ reporter: sink, ratePerSecond: 0 });

  it('takes a binary collectInSync and answers Commands plus a trailer frame', async () => {
    const url = await plain(ingest);
    const segs = browserSegments(3);
    const res = await post(url + '/skywalking' + COLLECT_IN_SYNC, frame(encodeSegmentCollection(segs)), 'application/grpc-web+proto', { 'x-grpc-web': '1' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/grpc-web+proto');
    const frames = parseGrpcWebFrames(new Uint8Array(await res.arrayBuffer()), false);
    expect(frames.messages).toHaveLength(1);
    expect(decodeCommands(frames.messages[0]!)).toEqual([]);
    expect(frames.trailer).toMatch(/grpc-status: ?0/);
    expect(sink.segments.slice(-3)).toEqual(segs);
  });

  it('takes a text (base64) collectInSync and answers in text', async () => {
    const url = await plain(ingest);
    const segs = browserSegments(2);
    const body = frame(encodeSegmentCollection(segs)).toString('base64');
    const res = await post(url + '/skywalking' + COLLECT_IN_SYNC, body, 'application/grpc-web-text');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/grpc-web-text/);
    const frames = parseGrpcWebFrames(Buffer.from(await res.text()), true);
    expect(frames.trailer).toMatch(/grpc-status: ?0/);
    expect(sink.segments.slice(-2)).toEqual(segs);
  });

  it('answers bad gRPC-web input with a grpc-status, never forwarding it', async () => {
    const url = (await plain(ingest)) + '/skywalking' + COLLECT_IN_SYNC;
    const before = sink.segments.length;
    const whole = frame(encodeSegmentCollection(browserSegments()));
    const cases: Array<[string, Buffer | string, string]> = [
      ['truncated header', whole.subarray(0, 3), 'application/grpc-web+proto'],
      ['truncated payload', whole.subarray(0, whole.length - 4), 'application/grpc-web+proto'],
      ['compressed frame', frame(Buffer.from([1, 2, 3]), 1), 'application/grpc-web+proto'],
      ['two messages', Buffer.concat([whole, whole]), 'application/grpc-web+proto'],
      ['garbage protobuf', frame(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff])), 'application/grpc-web+proto'],
      ['truncated text', whole.toString('base64').slice(0, 10), 'application/grpc-web-text'],
    ];
    for (const [name, body, type] of cases) {
      const res = await post(url, body, type);
      expect(res.status, name).toBe(200);
      const status = res.headers.get('grpc-status');
      expect(status, name).not.toBe('0');
      expect(Number(status), name).toBeGreaterThan(0);
      expect(res.headers.get('grpc-message'), name).toBeTruthy();
    }
    // A non-gRPC-web content type on a gRPC-web path is an HTTP error.
    expect((await post(url, whole, 'application/json')).status).toBe(415);
    expect(sink.segments.length).toBe(before);
  });
});

describe('ingest handler: OAP JSON and limits', () => {
  const sink = new InMemoryReporter();

  it('takes /v3/segments arrays, /v3/segment objects and protobuf like OAP', async () => {
    const url = (await plain(createIngestHandler({ reporter: sink, ratePerSecond: 0 }))) + '/skywalking';
    const [a, b] = browserSegments(2);
    let res = await post(url + '/v3/segments', JSON.stringify([a, b]), 'application/json');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    res = await post(url + '/v3/segment', JSON.stringify(a), 'application/json; charset=utf-8');
    expect(res.status).toBe(200);
    res = await post(url + '/v3/segment', encodeSegment(b!), 'application/x-protobuf');
    expect(res.status).toBe(200);
    expect(sink.segments).toEqual([a, b, a, b]);
  });

  it('refuses bad input with a 4xx and a message', async () => {
    const url =
      (await plain(createIngestHandler({ reporter: sink, ratePerSecond: 0, maxBodyBytes: 64 * 1024, maxSegmentsPerRequest: 5, maxSpansPerSegment: 2, maxStringLength: 100 }))) +
      '/skywalking';
    const before = sink.segments.length;
    const [seg] = browserSegments();
    const threeSpans = structuredClone(seg!);
    threeSpans.spans.push({ ...threeSpans.spans[0]!, spanId: 1, parentSpanId: 0 }, { ...threeSpans.spans[0]!, spanId: 2, parentSpanId: 0 });
    const longTag = structuredClone(seg!);
    longTag.spans[0]!.tags.push({ key: 'url', value: 'x'.repeat(101) });
    const longId = { ...structuredClone(seg!), traceId: 'a'.repeat(151) };
    const cases: Array<[string, string, BodyInit, string | undefined, number]> = [
      ['bad JSON', '/v3/segments', '[{"traceId":', 'application/json', 400],
      ['object where an array belongs', '/v3/segments', JSON.stringify(seg), 'application/json', 400],
      ['wrong content type', '/v3/segments', JSON.stringify([seg]), 'text/plain', 415],
      ['no spans', '/v3/segments', JSON.stringify([{ ...seg, spans: [] }]), 'application/json', 400],
      ['too many segments', '/v3/segments', JSON.stringify(browserSegments(6)), 'application/json', 413],
      // Over a count limit: 413, as the collector answers (one shared limit check).
      ['too many spans', '/v3/segments', JSON.stringify([threeSpans]), 'application/json', 413],
      ['long tag value', '/v3/segments', JSON.stringify([longTag]), 'application/json', 400],
      ['long trace id', '/v3/segments', JSON.stringify([longId]), 'application/json', 400],
      ['oversize body', '/v3/segments', JSON.stringify([{ ...seg, pad: 'x'.repeat(100 * 1024) }]), 'application/json', 413],
      ['browser data as text', '/browser/errorLogs', '[]', 'text/plain', 415],
    ];
    for (const [name, path, body, type, status] of cases) {
      const res = await post(url + path, body, type);
      expect(res.status, name).toBe(status);
      expect((await res.json()) as { error: string }, name).toHaveProperty('error');
    }
    expect((await fetch(url + '/v3/segments')).status).toBe(405);
    expect(sink.segments.length).toBe(before);
  });

  it('accepts only the listed browser services (segments over JSON and gRPC-web, browser data)', async () => {
    const allowed = new InMemoryReporter();
    const browserData: unknown[] = [];
    const ingest = createIngestHandler({ reporter: allowed, ratePerSecond: 0, services: ['web'], onBrowserData: (_p, items) => browserData.push(...items) });
    const url = (await plain(ingest)) + '/skywalking';
    const web = browserSegments();
    const spoof = browserSegments().map((x) => ({ ...x, service: 'payments-backend' }));
    expect((await post(url + '/v3/segments', JSON.stringify(web), 'application/json')).status).toBe(200);
    const refused = await post(url + '/v3/segments', JSON.stringify([...web, ...spoof]), 'application/json');
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toContain('payments-backend');
    const grpcWeb = await post(url + COLLECT_IN_SYNC, frame(encodeSegmentCollection(spoof)), 'application/grpc-web+proto');
    expect(grpcWeb.headers.get('grpc-status')).toBe('7');
    const log = (service: string) => ({ service, serviceVersion: '1.0', pagePath: '/p', category: 'js', grade: 'Error', message: 'm', errorUrl: '/p.js' });
    expect((await post(url + '/browser/errorLogs', JSON.stringify([log('web')]), 'application/json')).status).toBe(200);
    expect((await post(url + '/browser/errorLogs', JSON.stringify([log('web'), log('other')]), 'application/json')).status).toBe(403);
    expect((await post(url + '/browser/perfData', JSON.stringify({ service: 'other', serviceVersion: '1', pagePath: '/p' }), 'application/json')).status).toBe(403);
    // Nothing of a refused request gets through, not even its allowed part.
    expect(allowed.segments).toEqual(web);
    expect(browserData).toHaveLength(1);
  });

  it('refuses with 503 when there is no reporter and no running agent', async () => {
    const url = await plain(createIngestHandler({ ratePerSecond: 0 }));
    const res = await post(url + '/skywalking/v3/segments', JSON.stringify(browserSegments()), 'application/json');
    expect(res.status).toBe(503);
  });

  it('forwards through options.agent when no reporter is given', async () => {
    const agentSink = new InMemoryReporter();
    const url = await plain(createIngestHandler({ agent: { reporter: agentSink }, ratePerSecond: 0 }));
    const segs = browserSegments();
    expect((await post(url + '/skywalking/v3/segments', JSON.stringify(segs), 'application/json')).status).toBe(200);
    expect(agentSink.segments).toEqual(segs);
  });

  it('leaves other paths to the app, and only owns known report paths under its base', async () => {
    const url = await plain(createIngestHandler({ basePath: '/sw/', reporter: sink }));
    expect(await (await fetch(url + '/')).text()).toBe('app');
    expect(await (await fetch(url + '/sw/unknown')).text()).toBe('app');
    expect(await (await fetch(url + '/skywalking/v3/segments', { method: 'POST', body: '[]', headers: { 'content-type': 'application/json' } })).text()).toBe('app');
    expect((await post(url + '/sw/v3/segments?x=1', JSON.stringify(browserSegments()), 'application/json')).status).toBe(200);
  });

  it('rate-limits per client key and survives a throwing key function', async () => {
    let calls = 0;
    const ingest = createIngestHandler({
      reporter: sink,
      ratePerSecond: 2,
      clientKey: (req) => {
        if (calls++ === 0) throw new Error('broken key');
        return String(req.headers['x-client']);
      },
    });
    const url = (await plain(ingest)) + '/skywalking/v3/segments';
    const body = () => JSON.stringify(browserSegments());
    const a: number[] = [];
    for (let i = 0; i < 6; i++) a.push((await post(url, body(), 'application/json', { 'x-client': 'a' })).status);
    expect(a.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    const limited = await post(url, body(), 'application/json', { 'x-client': 'a' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    // Another client has its own bucket.
    expect((await post(url, body(), 'application/json', { 'x-client': 'b' })).status).toBe(200);
  });

  it('keeps serving when a client hangs up mid-body', async () => {
    const url = new URL((await plain(createIngestHandler({ reporter: sink, ratePerSecond: 0 }))) + '/skywalking/v3/segments');
    await new Promise<void>((resolve) => {
      const sock = net.connect(Number(url.port), url.hostname, () => {
        sock.write('POST /skywalking/v3/segments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[{"trace');
        setTimeout(() => {
          sock.destroy();
          resolve();
        }, 50);
      });
    });
    expect((await post(url.href, JSON.stringify(browserSegments()), 'application/json')).status).toBe(200);
  });
});

describe('ingest handler: frameworks and forwarding', () => {
  it('mounts in Express (at the root or under its base path) and Koa, forwarding to a gRPC collector', async () => {
    const collector = await startGrpcCollector({ token: 'server-side' });
    const reporter = createNodeReporter({ service: 'api', serviceInstance: 'api-1', collector: collector.address, authentication: 'server-side', management: false, flushIntervalMs: 10 });
    try {
      const ingest = createIngestHandler({ reporter, ratePerSecond: 0 });
      const root = express();
      root.use(ingest);
      root.get('/hello', (_q, r) => void r.send('hello'));
      const mounted = express();
      mounted.use('/skywalking', ingest);
      mounted.get('/hello', (_q, r) => void r.send('hello'));
      const koa = new Koa();
      koa.use(ingest.koa());
      koa.use((ctx) => void (ctx.body = 'hello'));
      const urls = [await serve(root), await serve(mounted), await serve(koa.callback())];
      const sent: SegmentObject[] = [];
      for (const url of urls) {
        const grpcWeb = browserSegments(1, `/grpc-web/${urls.indexOf(url)}`);
        const json = browserSegments(1, `/json/${urls.indexOf(url)}`);
        const r1 = await post(url + '/skywalking' + COLLECT_IN_SYNC, frame(encodeSegmentCollection(grpcWeb)), 'application/grpc-web+proto');
        expect(r1.headers.get('grpc-status'), url).toBe('0');
        const r2 = await post(url + '/skywalking/v3/segments', JSON.stringify(json), 'application/json');
        expect(r2.status, url).toBe(200);
        expect(await (await fetch(url + '/hello')).text(), url).toBe('hello');
        sent.push(...grpcWeb, ...json);
      }
      await reporter.flush(5000);
      await collector.waitForSegments(sent.length, 5000);
      expect(collector.segments).toEqual(sent);
      // Forwarded with the server's token, which browsers never see.
      expect(collector.metadata.every((m) => m.authentication === 'server-side')).toBe(true);
    } finally {
      await reporter.shutdown(1000);
      await collector.close();
    }
  });
});

describe('ingest handler after body parsers', () => {
  it('uses a body express.json() or express.raw() already consumed instead of hanging', async () => {
    const sink = new InMemoryReporter();
    const ingest = createIngestHandler({ reporter: sink, ratePerSecond: 0 });
    const app = express();
    app.use(express.json());
    app.use(express.raw({ type: 'application/grpc-web+proto' }));
    app.use(ingest);
    const url = (await serve(app)) + '/skywalking';
    const [a, b] = browserSegments(2);
    const signal = AbortSignal.timeout(3000);
    const r1 = await fetch(url + '/v3/segments', { method: 'POST', body: JSON.stringify([a]), headers: { 'content-type': 'application/json' }, signal });
    expect(r1.status).toBe(200);
    const r2 = await fetch(url + COLLECT_IN_SYNC, { method: 'POST', body: new Uint8Array(frame(encodeSegmentCollection([b!]))), headers: { 'content-type': 'application/grpc-web+proto' }, signal });
    expect(r2.headers.get('grpc-status')).toBe('0');
    expect(sink.segments).toEqual([a, b]);
  });
});

describe('rate limiter', () => {
  it('keeps a bounded table of clients', () => {
    const limiter = new RateLimiter(1, 100);
    for (let i = 0; i < 10_000; i++) limiter.take(`client-${i}`, 0);
    expect((limiter as unknown as { buckets: Map<string, unknown> }).buckets.size).toBe(100);
    // Bursts of twice the rate, then refill with time.
    expect([limiter.take('x', 0), limiter.take('x', 0), limiter.take('x', 0)]).toEqual([true, true, false]);
    expect(limiter.take('x', 1000)).toBe(true);
  });
});
