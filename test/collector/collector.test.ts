import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectorListenError, startCollector, type Collector } from '../../src/collector/index.js';
import { encodeSegment, encodeSegmentCollection } from '../../src/core/index.js';
import { DEFAULT_MAX_BODY_BYTES, encodeGrpcWebResponse, parseGrpcWebFrames } from '../../src/server/index.js';
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
    expect((await post('/nope', '{}', 'application/json')).status).toBe(404);
    expect((await post('/api/traces', '{}', 'application/json')).status).toBe(405);
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
    expect(Object.keys(list[0]).sort()).toEqual(['duration', 'endpoint', 'entryEndpoint', 'error', 'problemCount', 'problems', 'segmentCount', 'serviceCount', 'services', 'spanCount', 'start', 'traceId']);
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

  it('reports a busy port by kind and number instead of hanging', async () => {
    const http = await startCollector({ grpcPort: 0, httpPort: c.httpPort }).catch((e: unknown) => e);
    expect(http).toBeInstanceOf(CollectorListenError);
    expect(http).toMatchObject({ kind: 'http', port: c.httpPort, code: 'EADDRINUSE', message: `HTTP port 127.0.0.1:${c.httpPort} is already in use` });
    const grpcErr = await startCollector({ grpcPort: c.grpcPort, httpPort: 0 }).catch((e: unknown) => e);
    expect(grpcErr).toMatchObject({ kind: 'grpc', port: c.grpcPort, code: 'EADDRINUSE' });
    // The failed starts released what they had bound, and this collector still serves.
    expect((await fetch(c.httpUrl + '/api/stats')).status).toBe(200);
  });
});

describe('collector HTTP edge cases', () => {
  const grpcWebCall = (path: string, msg: Uint8Array, type = 'application/grpc-web+proto') => post(path, frame(msg), type);

  it('answers gRPC-web calls to unknown methods with UNIMPLEMENTED in the gRPC-web way', async () => {
    for (const type of ['application/grpc-web+proto', 'application/grpc-web-text']) {
      const body = type.includes('text') ? frame(new Uint8Array(0)).toString('base64') : frame(new Uint8Array(0));
      const res = await post('/skywalking.v3.NoSuchService/call', body, type);
      expect(res.status).toBe(200);
      expect(res.headers.get('grpc-status')).toBe('12');
      expect(res.headers.get('access-control-expose-headers')).toMatch(/grpc-status/);
      const frames = parseGrpcWebFrames(Buffer.from(await res.arrayBuffer()), { text: type.includes('text') });
      expect(frames.messages).toEqual([]);
      expect(frames.trailer).toMatch(/^grpc-status:12\r\ngrpc-message:unknown%20method%20%2Fskywalking\.v3\.NoSuchService%2Fcall\r\n$/);
    }
    // collectErrorLogs is a client stream: gRPC-web cannot carry it, so it is not routed.
    const stream = await grpcWebCall('/skywalking.v3.BrowserPerfService/collectErrorLogs', new Uint8Array(0));
    expect(stream.headers.get('grpc-status')).toBe('12');
  });

  it('routes the four unary BrowserPerfService methods over gRPC-web', async () => {
    const before = c.store.counts.browserPerf;
    const methods: Array<[string, string, Record<string, unknown>]> = [
      ['collectPerfData', 'BrowserPerfData', { service: 'web', serviceVersion: '1', pagePath: '/', fmpTime: 120 }],
      ['collectWebVitalsPerfData', 'BrowserWebVitalsPerfData', { service: 'web', pagePath: '/', lcpTime: 900 }],
      ['collectResourcePerfData', 'BrowserResourcePerfData', { service: 'web', pagePath: '/', name: 'app.js', duration: 12 }],
      ['collectWebInteractionsPerfData', 'BrowserWebInteractionsPerfData', { service: 'web', pagePath: '/', inpTime: 40 }],
    ];
    for (const [method, type, value] of methods) {
      const t = protoRoot.lookupType(`skywalking.v3.${type}`);
      const res = await grpcWebCall(`/skywalking.v3.BrowserPerfService/${method}`, t.encode(t.fromObject(value)).finish());
      expect(res.headers.get('grpc-status'), method).toBe('0');
      expect(parseGrpcWebFrames(Buffer.from(await res.arrayBuffer()), false).trailer).toBe('grpc-status:0\r\n');
    }
    expect(c.store.counts.browserPerf - before).toBe(4);
    const bad = await grpcWebCall('/skywalking.v3.BrowserPerfService/collectPerfData', Buffer.from([0x0a, 0xff]));
    expect(bad.headers.get('grpc-status')).toBe('3');
    expect(c.store.counts.browserPerf - before).toBe(4);
  });

  it('answers 400 to a trace id that is not valid percent-encoding', async () => {
    const res = await fetch(c.httpUrl + '/api/traces/%E0%A4%A');
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/not valid percent-encoding/);
    expect((await fetch(c.httpUrl + '/api/traces')).status).toBe(200);
  });

  it('requires the right shapes for management properties and browser data', async () => {
    const props = (body: unknown) => post('/v3/management/reportProperties', JSON.stringify(body), 'application/json');
    for (const bad of [
      { service: 'shape', serviceInstance: 's1', properties: 'notarray' },
      { service: 'shape', serviceInstance: 's1', properties: [{ key: 'a', value: 1 }] },
      { service: 'shape', serviceInstance: 's1', properties: [null] },
      { service: '', serviceInstance: 's1' },
      { service: 'shape' },
      ['not', 'an', 'object'],
      null,
    ]) {
      const res = await props(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect((await res.json()).error).toMatch(/properties|service|object/);
    }
    expect(c.store.instances.has('shape\u0000s1')).toBe(false);
    expect((await props({ service: 'shape', serviceInstance: 's1', properties: [{ key: 'language', value: 'NodeJS' }, { key: 'ipv4', value: '10.0.0.1' }, { key: 'ipv4', value: '10.0.0.2' }] })).status).toBe(200);
    expect(c.store.instances.get('shape\u0000s1')!.properties).toEqual({ language: ['NodeJS'], ipv4: ['10.0.0.1', '10.0.0.2'] });
    // A keepAlive carries no properties: one in its body does not overwrite the stored ones.
    expect((await post('/v3/management/keepAlive', JSON.stringify({ service: 'shape', serviceInstance: 's1', properties: 'x' }), 'application/json')).status).toBe(200);
    expect(c.store.instances.get('shape\u0000s1')!.properties.language).toEqual(['NodeJS']);

    const browser = (path: string, body: unknown) => post(path, JSON.stringify(body), 'application/json');
    const errorsBefore = c.store.counts.browserErrors;
    expect((await browser('/browser/errorLogs', null)).status).toBe(400);
    expect((await browser('/browser/errorLogs', [null])).status).toBe(400);
    expect((await browser('/browser/errorLogs', { message: 'not a list' })).status).toBe(400);
    expect((await browser('/browser/errorLog', [{ message: 'a list' }])).status).toBe(400);
    expect((await browser('/browser/perfData', 'text')).status).toBe(400);
    expect((await browser('/browser/perfData/resources', {})).status).toBe(400);
    expect(c.store.counts.browserErrors).toBe(errorsBefore);
    expect((await browser('/browser/errorLog', { message: 'one' })).status).toBe(200);
    expect((await browser('/browser/perfData/resources', [{ name: 'a.js' }, { name: 'b.css' }])).status).toBe(200);
    expect(c.store.counts.browserErrors).toBe(errorsBefore + 1);
  });

  it('refuses management calls without names over gRPC', async () => {
    const cl = new (grpc.makeGenericClientConstructor({}, 'x'))(c.grpcAddress, grpc.credentials.createInsecure());
    const ping = protoRoot.lookupType('skywalking.v3.InstancePingPkg');
    const call = (value: Record<string, unknown>) =>
      new Promise<grpc.ServiceError | null>((resolve) =>
        cl.makeUnaryRequest('/skywalking.v3.ManagementService/keepAlive', (b: Uint8Array) => Buffer.from(b), (b: Buffer) => b, ping.encode(ping.fromObject(value)).finish(), (err) => resolve(err)),
      );
    expect((await call({ serviceInstance: 'nameless' }))?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(await call({ service: 'named', serviceInstance: 'n1' })).toBeNull();
    cl.close();
    expect([...c.store.instances.values()].some((i) => i.serviceInstance === 'nameless')).toBe(false);
    expect(c.store.instances.has('named\u0000n1')).toBe(true);
  });

  it('decodes gzip, deflate and br request bodies, within the body limit', async () => {
    const { brotliCompressSync, deflateSync, gzipSync } = await import('node:zlib');
    const encoders: Record<string, (b: Buffer) => Buffer> = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync };
    for (const [encoding, encode] of Object.entries(encoders)) {
      const segs = makeTrace(`zip-${encoding}`);
      const res = await fetch(c.httpUrl + '/v3/segments', { method: 'POST', body: new Uint8Array(encode(Buffer.from(JSON.stringify(segs)))), headers: { 'content-type': 'application/json', 'content-encoding': encoding } });
      expect(res.status, encoding).toBe(200);
      expect(c.store.traces.get(segs[0]!.traceId)!.segments).toEqual(segs);
    }
    // gRPC-web bodies too (browsers may compress the whole body).
    const web = makeTrace('zip-grpc-web');
    const zipped = await fetch(c.httpUrl + '/skywalking.v3.TraceSegmentReportService/collectInSync', {
      method: 'POST',
      body: gzipSync(frame(encodeSegmentCollection(web))),
      headers: { 'content-type': 'application/grpc-web+proto', 'content-encoding': 'gzip' },
    });
    expect(zipped.headers.get('grpc-status')).toBe('0');
    expect(c.store.traces.has(web[0]!.traceId)).toBe(true);
    // A small body that inflates beyond maxBodyBytes (64 KiB here) is refused, not inflated.
    const bomb = gzipSync(Buffer.from(`[${' '.repeat(200 * 1024)}]`));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const over = await fetch(c.httpUrl + '/v3/segments', { method: 'POST', body: bomb, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    expect(over.status).toBe(413);
    const corrupt = await fetch(c.httpUrl + '/v3/segments', { method: 'POST', body: Buffer.from('not gzip'), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    expect(corrupt.status).toBe(400);
    const unknown = await fetch(c.httpUrl + '/v3/segments', { method: 'POST', body: '[]', headers: { 'content-type': 'application/json', 'content-encoding': 'zstd-nope' } });
    expect(unknown.status).toBe(415);
    expect((await fetch(c.httpUrl + '/api/stats')).status).toBe(200);
  });

  it('applies the per-segment span limit to the collect stream too', async () => {
    const cl = new (grpc.makeGenericClientConstructor({}, 'x'))(c.grpcAddress, grpc.credentials.createInsecure());
    const [big] = makeTrace('stream-big');
    const span = big!.spans[0]!;
    big!.spans = Array.from({ length: 10_001 }, (_, i) => ({ ...span, spanId: i, parentSpanId: i - 1 }));
    const [small] = makeTrace('stream-small');
    const err = await new Promise<grpc.ServiceError | null>((resolve) => {
      const call = cl.makeClientStreamRequest('/skywalking.v3.TraceSegmentReportService/collect', (b: Uint8Array) => Buffer.from(b), (b: Buffer) => b, (e) => resolve(e));
      call.write(encodeSegment(big!));
      call.write(encodeSegment(small!));
      call.end();
    });
    cl.close();
    expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err?.details).toMatch(/1 message\(s\) refused; first: segment 0 has 10001 spans, over the limit of 10000/);
    expect(c.store.traces.has(big!.traceId)).toBe(false);
    expect(c.store.traces.has(small!.traceId)).toBe(true);
  });
});

describe('collector defaults', () => {
  it('refuses a body over DEFAULT_MAX_BODY_BYTES with 413 and keeps serving', async () => {
    const d = await startCollector({ grpcPort: 0, httpPort: 0 });
    try {
      expect(DEFAULT_MAX_BODY_BYTES).toBe(4 * 1024 * 1024);
      const body = Buffer.alloc(5 * 1024 * 1024, 0x20);
      const res = await fetch(d.httpUrl + '/v3/segments', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(413);
      expect((await res.json()).error).toBe(`body over the ${DEFAULT_MAX_BODY_BYTES}-byte limit`);
      // Just under the limit is read (and then refused only because it is not a segment list).
      const under = await fetch(d.httpUrl + '/v3/segments', { method: 'POST', body: `[${' '.repeat(DEFAULT_MAX_BODY_BYTES - 2)}]`, headers: { 'content-type': 'application/json' } });
      expect(under.status).toBe(200);
      const segs = makeTrace('after-413');
      expect((await fetch(d.httpUrl + '/v3/segments', { method: 'POST', body: JSON.stringify(segs), headers: { 'content-type': 'application/json' } })).status).toBe(200);
      expect(d.store.traces.get(segs[0]!.traceId)!.segments).toHaveLength(2);
    } finally {
      await d.close();
    }
  });

  it('closes even while an agent keeps a collect stream open', async () => {
    const d = await startCollector({ grpcPort: 0, httpPort: 0 });
    const cl = new (grpc.makeGenericClientConstructor({}, 'x'))(d.grpcAddress, grpc.credentials.createInsecure());
    const call = cl.makeClientStreamRequest('/skywalking.v3.TraceSegmentReportService/collect', (b: Uint8Array) => Buffer.from(b), (b: Buffer) => b, () => {});
    call.on('error', () => {});
    const [seg] = makeTrace('open-stream');
    call.write(encodeSegment(seg!));
    await new Promise<void>((resolve) => {
      const t = setInterval(() => d.store.traces.has(seg!.traceId) && (clearInterval(t), resolve()), 20);
    });
    const t0 = Date.now();
    await d.close();
    expect(Date.now() - t0).toBeLessThan(4000);
    cl.close();
  });
});
