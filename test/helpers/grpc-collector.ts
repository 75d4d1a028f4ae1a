// An in-process SkyWalking gRPC collector for tests: records decoded segments, management
// calls and call metadata, and can misbehave on request.
import * as grpc from '@grpc/grpc-js';
import { decodeAs } from './proto.js';
import type { SegmentObject } from '../../src/core/index.js';
import { waitFor } from './wait.js';

/**
 * How the collector answers: `ok`; `unavailable`, `permission-denied`, `internal`,
 * `invalid-argument` as that gRPC status (the data is not recorded); `slow` answers after
 * `slowMs` (recording the data); `hang` never answers (the data is recorded when the
 * stream ends).
 */
export type Behaviour = 'ok' | 'unavailable' | 'permission-denied' | 'internal' | 'invalid-argument' | 'slow' | 'hang';

/** Options of {@link startGrpcCollector}. */
export interface TestGrpcCollectorOptions {
  /** Required `authentication` metadata; other calls get PERMISSION_DENIED (as OAP). */
  token?: string;
  /** Port to bind (to restart a collector on the same port); default 0. */
  port?: number;
  /** Serve TLS with this key and certificate chain (PEM); `ca` + `requireClientCert` for mTLS. */
  tls?: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer; requireClientCert?: boolean };
  /** Initial behaviour; default `ok`. */
  behaviour?: Behaviour;
  /** Delay of the `slow` behaviour; default 3000 ms. */
  slowMs?: number;
}

export interface TestGrpcCollector {
  /** `127.0.0.1:port`. */
  address: string;
  port: number;
  /** Segments received (JSON form, decoded with protobufjs over proto/). */
  segments: SegmentObject[];
  /** Decoded InstanceProperties (same array as `management.properties`). */
  properties: Array<Record<string, unknown>>;
  /** Decoded InstancePingPkg (same array as `management.pings`). */
  pings: Array<Record<string, unknown>>;
  management: { properties: Array<Record<string, unknown>>; pings: Array<Record<string, unknown>> };
  /** Metadata of every call, in arrival order. */
  metadata: Array<Record<string, unknown>>;
  /** Calls received, per full method path. */
  callsByMethod: Record<string, number>;
  /** Calls received. */
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

/** Starts an in-process SkyWalking gRPC collector on 127.0.0.1 (TraceSegmentReportService, ManagementService). */
export async function startGrpcCollector(options: TestGrpcCollectorOptions = {}): Promise<TestGrpcCollector> {
  const server = new grpc.Server();
  let behaviour: Behaviour = options.behaviour ?? 'ok';
  const properties: Array<Record<string, unknown>> = [];
  const pings: Array<Record<string, unknown>> = [];
  const c: TestGrpcCollector = {
    address: '',
    port: 0,
    segments: [],
    properties,
    pings,
    management: { properties, pings },
    metadata: [],
    callsByMethod: {},
    calls: 0,
    setBehaviour: (b) => void (behaviour = b),
    async waitForSegments(n, timeoutMs = 10_000) {
      await waitFor(() => c.segments.length >= n, timeoutMs, `${n} segments at the collector (got ${c.segments.length} so far)`);
      return c.segments;
    },
    // Hanging calls would keep tryShutdown waiting: force after a moment.
    close: () =>
      new Promise((resolve) => {
        const t = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 500);
        server.tryShutdown(() => {
          clearTimeout(t);
          resolve();
        });
      }),
  };
  // Returns an error to answer with, or undefined to go on.
  const gate = (md: grpc.Metadata, path: string): Partial<grpc.StatusObject> | undefined => {
    c.calls++;
    c.callsByMethod[path] = (c.callsByMethod[path] ?? 0) + 1;
    c.metadata.push(md.getMap());
    if (options.token !== undefined && md.get('authentication')[0] !== options.token) return { code: grpc.status.PERMISSION_DENIED, details: '' };
    if (behaviour === 'unavailable') return { code: grpc.status.UNAVAILABLE, details: 'test collector unavailable' };
    if (behaviour === 'permission-denied') return { code: grpc.status.PERMISSION_DENIED, details: '' };
    if (behaviour === 'internal') return { code: grpc.status.INTERNAL, details: 'test collector internal error' };
    if (behaviour === 'invalid-argument') return { code: grpc.status.INVALID_ARGUMENT, details: 'test collector rejects the data' };
    return undefined;
  };
  const answer = (cb: grpc.sendUnaryData<Buffer>, err: Partial<grpc.StatusObject> | undefined) => {
    if (err) return cb(err as grpc.ServiceError);
    if (behaviour === 'hang') return;
    if (behaviour === 'slow') return void setTimeout(() => cb(null, Buffer.alloc(0)), options.slowMs ?? 3000);
    cb(null, Buffer.alloc(0));
  };
  server.addService(
    {
      collect: method('/skywalking.v3.TraceSegmentReportService/collect', true),
      collectInSync: method('/skywalking.v3.TraceSegmentReportService/collectInSync', false),
    } as grpc.ServiceDefinition,
    {
      collect: (call: grpc.ServerReadableStream<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        const err = gate(call.metadata, '/skywalking.v3.TraceSegmentReportService/collect');
        const got: SegmentObject[] = [];
        call.on('data', (b: Buffer) => got.push(decodeAs('SegmentObject', b) as unknown as SegmentObject));
        call.on('end', () => {
          if (!err) c.segments.push(...got);
          answer(cb, err);
        });
        call.on('error', () => {});
      },
      collectInSync: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        const err = gate(call.metadata, '/skywalking.v3.TraceSegmentReportService/collectInSync');
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
        const err = gate(call.metadata, '/skywalking.v3.ManagementService/reportInstanceProperties');
        if (!err) c.properties.push(decodeAs('InstanceProperties', call.request));
        answer(cb, err);
      },
      keepAlive: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        const err = gate(call.metadata, '/skywalking.v3.ManagementService/keepAlive');
        if (!err) c.pings.push(decodeAs('InstancePingPkg', call.request));
        answer(cb, err);
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${options.port ?? 0}`, credentials(options.tls), (err, p) => (err ? reject(err) : resolve(p))),
  );
  c.port = port;
  c.address = `127.0.0.1:${port}`;
  return c;
}

function credentials(tls: TestGrpcCollectorOptions['tls']): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  const buf = (v: string | Buffer) => (typeof v === 'string' ? Buffer.from(v) : v);
  return grpc.ServerCredentials.createSsl(tls.ca ? buf(tls.ca) : null, [{ private_key: buf(tls.key), cert_chain: buf(tls.cert) }], tls.requireClientCert === true);
}
