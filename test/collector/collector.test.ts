import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '../../src/collector/index.js';
import { encodeSegment, encodeSegmentCollection, InMemoryReporter, Tracer } from '../../src/core/index.js';
import type { SegmentObject } from '../../src/core/index.js';
import { encodeGrpcWebResponse, parseGrpcWebFrames } from '../../src/server/index.js';
import { decodeAs, protoRoot } from '../helpers/proto.js';

let c: Collector;

function makeTrace(service = 'svc'): SegmentObject[] {
  const reporter = new InMemoryReporter();
  const up = new Tracer({ service, serviceInstance: service + '-1', reporter });
  const down = new Tracer({ service: service + '-down', serviceInstance: 'd-1', reporter });
  const ctx = up.createTracingContext();
  const e = ctx.createEntrySpan('GET:/a');
  const headers: Record<string, string> = {};
  const x = ctx.createExitSpan('/b', e, 'down:80', { inject: (k, v) => (headers[k] = v) });
  const d = down.createTracingContext();
  d.createEntrySpan('GET:/b', null, { extract: (k) => headers[k] }).end();
  x.end();
  e.end();
  return reporter.segments;
}

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
