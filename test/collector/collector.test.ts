import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '../../src/collector/index.js';
import { encodeSegment, encodeSegmentCollection } from '../../src/core/index.js';
import { encodeGrpcWebResponse, parseGrpcWebFrames } from '../../src/server/index.js';
import { decodeAs, protoRoot } from '../helpers/proto.js';
import { makeTrace } from './fixtures.js';

let c: Collector;

const frame = (msg: Uint8Array) => {
  const b = Buffer.alloc(5 + msg.length);
  b.writeUInt32BE(msg.length, 1);
  b.set(msg, 5);
  return b;
};
const post = (path: string, body: BodyInit, type: string) => fetch(c.httpUrl + path, { method: 'POST', body, headers: { 'content-type': type } });

beforeAll(async () => {
  c = await startCollector({ grpcPort: 0, httpPort: 0, maxTraces: 50, maxBodyBytes: 64 * 1024 });
});
afterAll(() => c.close());

describe('collector receivers', () => {
  it('takes gRPC collect and collectInSync and management calls', async () => {
    const Client = grpc.makeGenericClientConstructor({}, 'x');
    const client = new Client(c.grpcAddress, grpc.credentials.createInsecure());
    const segs = makeTrace('grpc');
    await new Promise<void>((resolve, reject) => {
      const call = client.makeClientStreamRequest('/skywalking.v3.TraceSegmentReportService/collect', (b: Uint8Array) => Buffer.from(b), (b: Buffer) => b, (err) => (err ? reject(err) : resolve()));
      for (const s of segs) call.write(encodeSegment(s));
      call.end();
    });
    await new Promise<void>((resolve, reject) =>
      client.makeUnaryRequest('/skywalking.v3.TraceSegmentReportService/collectInSync', (b: Uint8Array) => Buffer.from(b), (b: Buffer) => b, encodeSegmentCollection(makeTrace('sync')), (err) => (err ? reject(err) : resolve())),
    );
    const props = protoRoot.lookupType('skywalking.v3.InstanceProperties');
    const bytes = props.encode(props.fromObject({ service: 'grpc', serviceInstance: 'grpc-1', properties: [{ key: 'language', value: 'NodeJS' }] })).finish();
    await new Promise<void>((resolve, reject) =>
      client.makeUnaryRequest('/skywalking.v3.ManagementService/reportInstanceProperties', (b: Uint8Array) => Buffer.from(b), (b: Buffer) => b, bytes, (err) => (err ? reject(err) : resolve())),
    );
    const bad = await new Promise<grpc.ServiceError | null>((resolve) =>
      client.makeUnaryRequest('/skywalking.v3.TraceSegmentReportService/collectInSync', (b: Uint8Array) => Buffer.from(b), (b: Buffer) => b, Buffer.from([0x0a, 0xff]), (err) => resolve(err)),
    );
    expect(bad?.code).toBe(grpc.status.INVALID_ARGUMENT);
    client.close();
    const trace = c.store.traces.get(segs[0]!.traceId)!;
    expect(trace.segments).toEqual(segs);
    const list = await (await fetch(c.httpUrl + '/api/traces')).json();
    const summary = list.find((t: { traceId: string }) => t.traceId === segs[0]!.traceId);
    expect(summary).toMatchObject({ services: expect.arrayContaining(['grpc', 'grpc-down']), endpoint: 'GET:/a', segmentCount: 2, spanCount: 3, error: false, problems: [] });
    const services = await (await fetch(c.httpUrl + '/api/services')).json();
    expect(services.find((s: { service: string }) => s.service === 'grpc').instances[0].properties.language).toEqual(['NodeJS']);
  });

  it('takes gRPC-web in binary and text mode and answers with a trailer frame', async () => {
    const segs = makeTrace('web');
    const body = frame(encodeSegmentCollection(segs));
    const res = await post('/skywalking.v3.TraceSegmentReportService/collectInSync', body, 'application/grpc-web+proto');
    expect(res.status).toBe(200);
    const frames = parseGrpcWebFrames(new Uint8Array(await res.arrayBuffer()), false);
    expect(frames.trailer).toContain('grpc-status:0');
    const text = await post('/skywalking.v3.TraceSegmentReportService/collectInSync', body.toString('base64'), 'application/grpc-web-text');
    expect(parseGrpcWebFrames(new Uint8Array(await text.arrayBuffer()), true).trailer).toContain('grpc-status:0');
    expect(c.store.traces.get(segs[0]!.traceId)!.segments).toHaveLength(2);
    const pre = await fetch(c.httpUrl + '/skywalking.v3.TraceSegmentReportService/collectInSync', { method: 'OPTIONS', headers: { 'access-control-request-headers': 'content-type,x-grpc-web' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toBe('content-type,x-grpc-web');
  });

  it('takes OAP JSON and protobuf REST bodies, with enum names or numbers and string int64s', async () => {
    const [seg] = makeTrace('rest');
    const json = JSON.parse(JSON.stringify(seg));
    json.spans[0].spanType = 0;
    json.spans[0].startTime = String(json.spans[0].startTime);
    json.unknownKey = 'ignored';
    expect((await post('/v3/segments', JSON.stringify([json]), 'application/json')).status).toBe(200);
    expect(c.store.traces.get(seg!.traceId)!.segments[0]).toEqual(seg);
    const [seg2] = makeTrace('rest-pb');
    expect((await post('/v3/segment', Buffer.from(encodeSegment(seg2!)), 'application/x-protobuf')).status).toBe(200);
    expect(c.store.traces.get(seg2!.traceId)!.segments[0]).toEqual(seg2);
    expect((await post('/browser/errorLogs', JSON.stringify([{ service: 'web', message: 'boom' }]), 'application/json')).status).toBe(200);
    expect((await post('/v3/management/keepAlive', JSON.stringify({ service: 'rest', serviceInstance: 'r1' }), 'application/json')).status).toBe(200);
  });

  it('rejects bad input with clear statuses and keeps serving', async () => {
    expect((await post('/v3/segments', '{not json', 'application/json')).status).toBe(400);
    expect((await post('/v3/segments', '{}', 'application/json')).status).toBe(400);
    expect((await post('/v3/segments', '[]', 'text/plain')).status).toBe(415);
    expect((await post('/v3/segments', JSON.stringify([{ spans: [{ spanType: 'Sideways' }] }]), 'application/json')).status).toBe(400);
    expect((await post('/v3/segments', 'x'.repeat(70 * 1024), 'application/json')).status).toBe(413);
    const truncated = await post('/skywalking.v3.TraceSegmentReportService/collectInSync', Buffer.from([0, 0, 0, 1, 0, 1]), 'application/grpc-web+proto');
    expect(truncated.headers.get('grpc-status')).toBe('3');
    expect((await fetch(c.httpUrl + '/nope')).status).toBe(404);
    expect((await fetch(c.httpUrl + '/v3/segments')).status).toBe(405);
    expect((await fetch(c.httpUrl + '/api/traces')).status).toBe(200);
  });

  it('reports references that do not match their parents', async () => {
    const segs = makeTrace('broken');
    const down = segs.find((s) => s.service === 'broken-down')!;
    const up = segs.find((s) => s.service === 'broken')!;
    down.spans[0]!.refs[0]!.networkAddressUsedAtPeer = 'elsewhere:1';
    up.spans[1]!.peer = '';
    await post('/v3/segments', JSON.stringify(segs), 'application/json');
    const trace = await (await fetch(`${c.httpUrl}/api/traces/${segs[0]!.traceId}`)).json();
    expect(trace.summary.problems.join('\n')).toMatch(/exit span without peer/);
    expect(trace.summary.problems.join('\n')).toMatch(/networkAddressUsedAtPeer "elsewhere:1"/);
  });

  it('evicts the oldest traces beyond its bound', async () => {
    for (let i = 0; i < 60; i++) c.store.addSegments(makeTrace('bulk' + i));
    expect(c.store.traces.size).toBe(50);
    expect(c.store.counts.evictedTraces).toBeGreaterThan(0);
  });
});

describe('gRPC-web framing', () => {
  it('round-trips responses and rejects truncation', () => {
    const res = encodeGrpcWebResponse(new Uint8Array([1, 2, 3]), 0);
    const f = parseGrpcWebFrames(res, false);
    expect(f.messages.map((m) => [...m])).toEqual([[1, 2, 3]]);
    expect(f.trailer).toBe('grpc-status:0\r\n');
    expect(() => parseGrpcWebFrames(res.subarray(0, res.length - 1), false)).toThrow(/truncated/);
    expect(decodeAs('Commands', new Uint8Array(0))).toEqual({ commands: [] });
  });
});

describe('collector edge cases', () => {
  const id = (b: Uint8Array) => Buffer.from(b);
  const raw = (b: Buffer) => b;
  const client = () => new (grpc.makeGenericClientConstructor({}, 'x'))(c.grpcAddress, grpc.credentials.createInsecure());
  const stream = (cl: grpc.Client, path: string, msgs: Uint8Array[], md = new grpc.Metadata()) =>
    new Promise<grpc.ServiceError | null>((resolve) => {
      const call = cl.makeClientStreamRequest(path, id, raw, md, (err) => resolve(err));
      for (const m of msgs) call.write(m);
      call.end();
    });

  it('keeps the good segments of a stream and answers INVALID_ARGUMENT for the bad ones', async () => {
    const cl = client();
    const segs = makeTrace('mixed');
    const err = await stream(cl, '/skywalking.v3.TraceSegmentReportService/collect', [encodeSegment(segs[0]!), Buffer.from([0x0a, 0xff]), encodeSegment(segs[1]!)]);
    cl.close();
    expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err?.details).toMatch(/1 message\(s\) refused/);
    expect(c.store.traces.get(segs[0]!.traceId)!.segments).toEqual(segs);
  });

  it('counts logs and meters, and takes browser data over gRPC', async () => {
    const cl = client();
    const before = { ...c.store.counts };
    const log = protoRoot.lookupType('skywalking.v3.LogData');
    const logBytes = log.encode(log.fromObject({ service: 'logs', body: { text: { text: 'hello' } } })).finish();
    expect(await stream(cl, '/skywalking.v3.LogReportService/collect', [logBytes, logBytes])).toBeNull();
    const meter = protoRoot.lookupType('skywalking.v3.MeterData');
    const meterBytes = meter.encode(meter.fromObject({ service: 'm', singleValue: { name: 'x', value: 1 } })).finish();
    expect(await stream(cl, '/skywalking.v3.MeterReportService/collect', [meterBytes])).toBeNull();
    const errLog = protoRoot.lookupType('skywalking.v3.BrowserErrorLog');
    const errBytes = errLog.encode(errLog.fromObject({ service: 'web', message: 'boom' })).finish();
    expect(await stream(cl, '/skywalking.v3.BrowserPerfService/collectErrorLogs', [errBytes])).toBeNull();
    cl.close();
    expect(c.store.counts.logs - before.logs).toBe(2);
    expect(c.store.counts.meters - before.meters).toBe(1);
    expect(c.store.counts.browserErrors - before.browserErrors).toBe(1);
    expect(c.store.logs.at(-1)).toMatchObject({ service: 'logs' });
    const stats = await (await fetch(c.httpUrl + '/api/stats')).json();
    expect(stats).toMatchObject({ logs: c.store.counts.logs, meters: c.store.counts.meters, traces: c.store.traces.size });
    const errors = await (await fetch(c.httpUrl + '/api/browser/errors')).json();
    expect(errors.some((e: { message: string }) => e.message === 'boom')).toBe(true);
  });

  it('takes management calls over gRPC-web and rejects bad gRPC-web requests', async () => {
    const ping = protoRoot.lookupType('skywalking.v3.InstancePingPkg');
    const body = frame(ping.encode(ping.fromObject({ service: 'gw', serviceInstance: 'gw-1' })).finish());
    const res = await post('/skywalking.v3.ManagementService/keepAlive', body.toString('base64'), 'application/grpc-web-text+proto');
    expect(res.headers.get('content-type')).toBe('application/grpc-web-text+proto');
    expect(res.headers.get('access-control-expose-headers')).toMatch(/grpc-status/);
    expect(parseGrpcWebFrames(Buffer.from(await res.arrayBuffer()), { text: true }).trailer).toBe('grpc-status:0\r\n');
    expect(c.store.instances.has('gw\u0000gw-1')).toBe(true);
    // Two messages for a unary call, a wrong content type, and a GET.
    const two = await post('/skywalking.v3.TraceSegmentReportService/collectInSync', Buffer.concat([frame(new Uint8Array(0)), frame(new Uint8Array(0))]), 'application/grpc-web+proto');
    expect(two.headers.get('grpc-status')).toBe('3');
    expect(decodeURIComponent(two.headers.get('grpc-message')!)).toMatch(/expected 1 message, got 2/);
    expect((await post('/skywalking.v3.TraceSegmentReportService/collectInSync', 'x', 'text/plain')).status).toBe(415);
    expect((await fetch(c.httpUrl + '/skywalking.v3.TraceSegmentReportService/collectInSync')).status).toBe(405);
  });

  it('refuses reports over the count limits', async () => {
    const segs = makeTrace('many');
    const lots = Array.from({ length: 5001 }, () => ({}));
    const res = await post('/v3/segments', JSON.stringify(lots), 'application/json');
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatch(/5001 segments in one request/);
    expect(c.store.traces.has('')).toBe(false);
    expect((await post('/v3/segments', JSON.stringify(segs), 'application/json')).status).toBe(200);
  });

  it('names missing parents and wrong instances per trace, and problems per segment', async () => {
    const segs = makeTrace('orphan');
    const down = segs.find((s) => s.service === 'orphan-down')!;
    down.spans[0]!.refs[0]!.parentServiceInstance = 'someone-else';
    down.spans[0]!.startTime = 0;
    await post('/v3/segments', JSON.stringify([down]), 'application/json');
    let trace = await (await fetch(`${c.httpUrl}/api/traces/${down.traceId}`)).json();
    expect(trace.summary.problems.join('\n')).toMatch(/parent segment \w+ \(orphan\) not received/);
    expect(trace.segmentProblems[down.traceSegmentId].join('\n')).toMatch(/missing start or end time/);
    await post('/v3/segments', JSON.stringify(segs.filter((s) => s !== down)), 'application/json');
    trace = await (await fetch(`${c.httpUrl}/api/traces/${down.traceId}`)).json();
    const problems = trace.summary.problems.join('\n');
    expect(problems).not.toMatch(/not received/);
    expect(problems).toMatch(/parentServiceInstance "someone-else" ≠ "orphan-1"/);
    expect(trace.segments).toHaveLength(2);
  });

  it('lists traces newest first with the documented fields', async () => {
    const a = makeTrace('first');
    const b = makeTrace('second');
    c.store.addSegments(a);
    c.store.addSegments(b);
    const list = await (await fetch(c.httpUrl + '/api/traces')).json();
    expect(list[0].traceId).toBe(b[0]!.traceId);
    expect(list[1].traceId).toBe(a[0]!.traceId);
    expect(Object.keys(list[0]).sort()).toEqual(['duration', 'endpoint', 'error', 'problems', 'segmentCount', 'services', 'spanCount', 'start', 'traceId']);
    expect(list[0].start).toBe(Math.min(...b.flatMap((s) => s.spans.map((x) => x.startTime))));
    expect((await fetch(`${c.httpUrl}/api/traces/nope`)).status).toBe(404);
  });

  it('checks the gRPC token like OAP', async () => {
    const secured = await startCollector({ grpcPort: 0, httpPort: 0, token: 's3cret' });
    try {
      const cl = new (grpc.makeGenericClientConstructor({}, 'x'))(secured.grpcAddress, grpc.credentials.createInsecure());
      const segs = makeTrace('auth');
      const call = (md: grpc.Metadata) =>
        new Promise<grpc.ServiceError | null>((resolve) => cl.makeUnaryRequest('/skywalking.v3.TraceSegmentReportService/collectInSync', id, raw, encodeSegmentCollection(segs), md, (err) => resolve(err)));
      expect((await call(new grpc.Metadata()))?.code).toBe(grpc.status.PERMISSION_DENIED);
      const md = new grpc.Metadata();
      md.set('Authentication', 'wrong');
      expect((await call(md))?.code).toBe(grpc.status.PERMISSION_DENIED);
      md.set('Authentication', 's3cret');
      expect(await call(md)).toBeNull();
      cl.close();
      expect(secured.store.traces.get(segs[0]!.traceId)!.segments).toHaveLength(2);
    } finally {
      await secured.close();
    }
  });

  it('reports a busy port instead of hanging', async () => {
    await expect(startCollector({ grpcPort: 0, httpPort: c.httpPort })).rejects.toThrow(/EADDRINUSE/);
    await expect(startCollector({ grpcPort: c.grpcPort, httpPort: 0 })).rejects.toThrow();
  });
});
