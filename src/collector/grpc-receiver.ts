import * as grpc from '@grpc/grpc-js';
import { decodeMessage, decodeSegmentCollection, decodeSegmentObject, EMPTY_COMMANDS } from '../server/index.js';
import type { SegmentObject } from '../core/index.js';
import type { TraceStore } from './store.js';

const raw = (b: Buffer | Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const def = (path: string, requestStream: boolean): grpc.MethodDefinition<Buffer, Buffer> => ({
  path,
  requestStream,
  responseStream: false,
  requestSerialize: raw,
  requestDeserialize: (b: Buffer) => b,
  responseSerialize: raw,
  responseDeserialize: (b: Buffer) => b,
});

type Unary = (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => void;
type Stream = (call: grpc.ServerReadableStream<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => void;

const ok = (cb: grpc.sendUnaryData<Buffer>) => cb(null, Buffer.from(EMPTY_COMMANDS));
const invalid = (cb: grpc.sendUnaryData<Buffer>, err: unknown) =>
  cb({ code: grpc.status.INVALID_ARGUMENT, details: `malformed message: ${(err as Error).message}` } as grpc.ServiceError);

/**
 * Registers the agent-facing gRPC services OAP serves: traces (collect, collectInSync),
 * management, logs, meters and browser data. `token`, when set, is checked exactly like
 * OAP's `authentication` interceptor (PERMISSION_DENIED on mismatch).
 */
export function addReceivers(server: grpc.Server, store: TraceStore, token?: string): void {
  const denied = (md: grpc.Metadata, cb: grpc.sendUnaryData<Buffer>) => {
    if (!token || md.get('authentication')[0] === token) return false;
    store.counts.rejected++;
    cb({ code: grpc.status.PERMISSION_DENIED, details: '' } as grpc.ServiceError);
    return true;
  };
  const unary = (fn: (msg: Buffer) => void): Unary => (call, cb) => {
    if (denied(call.metadata, cb)) return;
    try {
      fn(call.request);
    } catch (err) {
      return invalid(cb, err);
    }
    ok(cb);
  };
  // Client streams: messages are applied as they arrive; one bad message fails the call.
  const stream = (fn: (msg: Buffer) => void): Stream => (call, cb) => {
    if (denied(call.metadata, cb)) return;
    let failed: unknown;
    call.on('data', (msg: Buffer) => {
      if (failed) return;
      try {
        fn(msg);
      } catch (err) {
        failed = err;
      }
    });
    call.on('end', () => (failed ? invalid(cb, failed) : ok(cb)));
    call.on('error', () => {});
  };
  const instance = (type: string) => (msg: Buffer) => {
    const m = decodeMessage(type, msg) as { service: string; serviceInstance: string; properties?: Array<{ key: string; value: string }> };
    store.addInstance(m.service, m.serviceInstance, m.properties);
  };

  server.addService(
    { collect: def('/skywalking.v3.TraceSegmentReportService/collect', true), collectInSync: def('/skywalking.v3.TraceSegmentReportService/collectInSync', false) },
    {
      collect: stream((msg) => store.addSegments([decodeSegmentObject(msg)] as SegmentObject[])),
      collectInSync: unary((msg) => store.addSegments(decodeSegmentCollection(msg))),
    },
  );
  server.addService(
    {
      reportInstanceProperties: def('/skywalking.v3.ManagementService/reportInstanceProperties', false),
      keepAlive: def('/skywalking.v3.ManagementService/keepAlive', false),
    },
    { reportInstanceProperties: unary(instance('InstanceProperties')), keepAlive: unary(instance('InstancePingPkg')) },
  );
  server.addService(
    { collect: def('/skywalking.v3.LogReportService/collect', true) },
    { collect: stream((msg) => (decodeMessage('LogData', msg), store.counts.logs++)) },
  );
  server.addService(
    { collect: def('/skywalking.v3.MeterReportService/collect', true), collectBatch: def('/skywalking.v3.MeterReportService/collectBatch', true) },
    {
      collect: stream((msg) => (decodeMessage('MeterData', msg), store.counts.meters++)),
      collectBatch: stream((msg) => {
        const c = decodeMessage('MeterDataCollection', msg) as { meterData?: unknown[] };
        store.counts.meters += c.meterData?.length ?? 0;
      }),
    },
  );
  const perf = (type: string) => unary((msg) => (decodeMessage(type, msg), store.counts.browserPerf++));
  server.addService(
    {
      collectPerfData: def('/skywalking.v3.BrowserPerfService/collectPerfData', false),
      collectWebVitalsPerfData: def('/skywalking.v3.BrowserPerfService/collectWebVitalsPerfData', false),
      collectResourcePerfData: def('/skywalking.v3.BrowserPerfService/collectResourcePerfData', false),
      collectWebInteractionsPerfData: def('/skywalking.v3.BrowserPerfService/collectWebInteractionsPerfData', false),
      collectErrorLogs: def('/skywalking.v3.BrowserPerfService/collectErrorLogs', true),
    },
    {
      collectPerfData: perf('BrowserPerfData'),
      collectWebVitalsPerfData: perf('BrowserWebVitalsPerfData'),
      collectResourcePerfData: perf('BrowserResourcePerfData'),
      collectWebInteractionsPerfData: perf('BrowserWebInteractionsPerfData'),
      collectErrorLogs: stream((msg) => {
        const e = decodeMessage('BrowserErrorLog', msg);
        store.counts.browserErrors++;
        if (store.browserErrors.length < 500) store.browserErrors.push(e);
      }),
    },
  );
}
