// An in-process SkyWalking gRPC collector for tests: records decoded segments, management
// calls and call metadata, and can misbehave on request.
import * as grpc from '@grpc/grpc-js';
import { decodeAs } from './proto.js';
import type { SegmentObject } from '../../src/core/index.js';

export type Behaviour = 'ok' | 'unavailable' | 'permission-denied' | 'slow' | 'hang';

export interface TestGrpcCollector {
  address: string;
  port: number;
  segments: SegmentObject[];
  properties: Array<Record<string, unknown>>;
  pings: Array<Record<string, unknown>>;
  metadata: Array<Record<string, unknown>>;
  calls: number;
  setBehaviour(b: Behaviour): void;
  waitForSegments(n: number, timeoutMs?: number): Promise<SegmentObject[]>;
  close(): Promise<void>;
}

const raw = { serialize: (b: Buffer) => b, deserialize: (b: Buffer) => b };
const method = (path: string, requestStream: boolean) => ({
  path,
  requestStream,
  responseStream: false,
  requestSerialize: raw.serialize,
  requestDeserialize: raw.deserialize,
  responseSerialize: raw.serialize,
  responseDeserialize: raw.deserialize,
});

export async function startGrpcCollector(options: { token?: string; port?: number } = {}): Promise<TestGrpcCollector> {
  const server = new grpc.Server();
  let behaviour: Behaviour = 'ok';
  const c: TestGrpcCollector = {
    address: '',
    port: 0,
    segments: [],
    properties: [],
    pings: [],
    metadata: [],
    calls: 0,
    setBehaviour: (b) => void (behaviour = b),
    async waitForSegments(n, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (c.segments.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} segments, got ${c.segments.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return c.segments;
    },
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
  // Returns an error to answer with, or undefined to go on.
  const gate = (md: grpc.Metadata): Partial<grpc.StatusObject> | undefined => {
    c.calls++;
    c.metadata.push(md.getMap());
    if (options.token !== undefined && md.get('authentication')[0] !== options.token) return { code: grpc.status.PERMISSION_DENIED, details: '' };
    if (behaviour === 'unavailable') return { code: grpc.status.UNAVAILABLE, details: 'test collector unavailable' };
    if (behaviour === 'permission-denied') return { code: grpc.status.PERMISSION_DENIED, details: '' };
    return undefined;
  };
  const answer = (cb: grpc.sendUnaryData<Buffer>, err: Partial<grpc.StatusObject> | undefined) => {
    if (err) return cb(err as grpc.ServiceError);
    if (behaviour === 'hang') return;
    if (behaviour === 'slow') return void setTimeout(() => cb(null, Buffer.alloc(0)), 3000);
    cb(null, Buffer.alloc(0));
  };
  server.addService(
    {
      collect: method('/skywalking.v3.TraceSegmentReportService/collect', true),
      collectInSync: method('/skywalking.v3.TraceSegmentReportService/collectInSync', false),
    } as grpc.ServiceDefinition,
    {
      collect: (call: grpc.ServerReadableStream<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        const err = gate(call.metadata);
        const got: SegmentObject[] = [];
        call.on('data', (b: Buffer) => got.push(decodeAs('SegmentObject', b) as unknown as SegmentObject));
        call.on('end', () => {
          if (!err) c.segments.push(...got);
          answer(cb, err);
        });
        call.on('error', () => {});
      },
      collectInSync: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        const err = gate(call.metadata);
        if (!err) c.segments.push(...((decodeAs('SegmentCollection', call.request).segments as SegmentObject[]) ?? []));
        answer(cb, err);
      },
    },
  );
  server.addService(
    {
      reportInstanceProperties: method('/skywalking.v3.ManagementService/reportInstanceProperties', false),
      keepAlive: method('/skywalking.v3.ManagementService/keepAlive', false),
    } as grpc.ServiceDefinition,
    {
      reportInstanceProperties: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        const err = gate(call.metadata);
        if (!err) c.properties.push(decodeAs('InstanceProperties', call.request));
        answer(cb, err);
      },
      keepAlive: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        const err = gate(call.metadata);
        if (!err) c.pings.push(decodeAs('InstancePingPkg', call.request));
        answer(cb, err);
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  c.port = port;
  c.address = `127.0.0.1:${port}`;
  return c;
}
