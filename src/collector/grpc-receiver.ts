import * as grpc from '@grpc/grpc-js';
import {
  checkInstanceLimits,
  checkReportLimits,
  decodeInstancePing,
  decodeInstanceProperties,
  decodeMessage,
  decodeSegmentCollection,
  decodeSegmentObject,
  EMPTY_COMMANDS,
} from '../server/index.js';
import type { InstanceReport } from '../server/index.js';
import type { BrowserPerfKind } from './browser-stats.js';
import type { TraceStore } from './store.js';
import { meterStreamTracker } from './telemetry-store.js';

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
  cb({ code: grpc.status.INVALID_ARGUMENT, details: (err as Error).message || 'malformed message' } as grpc.ServiceError);

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
      store.counts.rejected++;
      return invalid(cb, err);
    }
    ok(cb);
  };
  // Client streams: like OAP, every good message is kept and a bad one does not stop the
  // stream; unlike OAP (which only logs), the final status says how many were refused.
  const stream = (fn: (msg: Buffer) => void): Stream => (call, cb) => {
    if (denied(call.metadata, cb)) return;
    let bad = 0;
    let first: unknown;
    call.on('data', (msg: Buffer) => {
      try {
        fn(msg);
      } catch (err) {
        store.counts.rejected++;
        bad++;
        first ??= err;
      }
    });
    call.on('end', () => (bad ? invalid(cb, new Error(`${bad} message(s) refused; first: ${(first as Error).message}`)) : ok(cb)));
    call.on('error', () => {});
  };
  const instance = (decode: (b: Uint8Array) => InstanceReport, withProperties: boolean) => (msg: Buffer) => {
    const m = decode(msg);
    // As on the HTTP port: an instance without names would be listed as garbage.
    if (!m.service || !m.serviceInstance) throw new Error('service and serviceInstance must be non-empty');
    const over = checkInstanceLimits(withProperties ? m : { service: m.service, serviceInstance: m.serviceInstance });
    if (over) throw new Error(over);
    store.addInstance(m.service, m.serviceInstance, withProperties ? m.properties : undefined);
  };

  server.addService(
    { collect: def('/skywalking.v3.TraceSegmentReportService/collect', true), collectInSync: def('/skywalking.v3.TraceSegmentReportService/collectInSync', false) },
    {
      // The same per-segment limit as collectInSync and the HTTP port; a stream has no
      // per-request segment count (an agent keeps one stream open for many segments).
      collect: stream((msg) => {
        const segment = decodeSegmentObject(msg);
        const over = checkReportLimits([segment]);
        if (over) throw new Error(over);
        store.addSegments([segment]);
      }),
      collectInSync: unary((msg) => {
        const segments = decodeSegmentCollection(msg);
        const over = checkReportLimits(segments);
        if (over) throw new Error(over);
        store.addSegments(segments);
      }),
    },
  );
  server.addService(
    {
      reportInstanceProperties: def('/skywalking.v3.ManagementService/reportInstanceProperties', false),
      keepAlive: def('/skywalking.v3.ManagementService/keepAlive', false),
    },
    { reportInstanceProperties: unary(instance(decodeInstanceProperties, true)), keepAlive: unary(instance(decodeInstancePing, false)) },
  );
  server.addService(
    { collect: def('/skywalking.v3.LogReportService/collect', true) },
    { collect: stream((msg) => store.addLog(decodeMessage('LogData', msg))) },
  );
  server.addService(
    { collect: def('/skywalking.v3.MeterReportService/collect', true), collectBatch: def('/skywalking.v3.MeterReportService/collectBatch', true) },
    {
      // One tracker per stream: its first element names the service and instance of the rest.
      collect: ((call, cb) => {
        const track = meterStreamTracker();
        stream((msg) => {
          const m = decodeMessage('MeterData', msg);
          store.addMeters([m], track(m));
        })(call, cb);
      }) as Stream,
      collectBatch: stream((msg) => {
        const c = decodeMessage('MeterDataCollection', msg) as { meterData?: Array<Record<string, unknown>> };
        store.addMeters(c.meterData ?? []);
      }),
    },
  );
  const perf = (type: string, kind: BrowserPerfKind) => unary((msg) => store.addBrowserPerfData(kind, [decodeMessage(type, msg)]));
  server.addService(
    {
      collectPerfData: def('/skywalking.v3.BrowserPerfService/collectPerfData', false),
      collectWebVitalsPerfData: def('/skywalking.v3.BrowserPerfService/collectWebVitalsPerfData', false),
      collectResourcePerfData: def('/skywalking.v3.BrowserPerfService/collectResourcePerfData', false),
      collectWebInteractionsPerfData: def('/skywalking.v3.BrowserPerfService/collectWebInteractionsPerfData', false),
      collectErrorLogs: def('/skywalking.v3.BrowserPerfService/collectErrorLogs', true),
    },
    {
      collectPerfData: perf('BrowserPerfData', 'perf'),
      collectWebVitalsPerfData: perf('BrowserWebVitalsPerfData', 'vitals'),
      collectResourcePerfData: perf('BrowserResourcePerfData', 'resources'),
      collectWebInteractionsPerfData: perf('BrowserWebInteractionsPerfData', 'interactions'),
      collectErrorLogs: stream((msg) => {
        store.addBrowserErrors([decodeMessage('BrowserErrorLog', msg)]);
      }),
    },
  );
}
