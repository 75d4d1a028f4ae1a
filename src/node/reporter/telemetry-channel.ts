import type { BatchTransport, SendOptions } from '../../core/index.js';
import type { GrpcCaller } from './grpc-caller.js';

/**
 * The connection meter and log reporters send through: the segment reporter's own, so
 * there is one gRPC session (or one pool of keep-alive sockets) to OAP per process.
 */
export interface TelemetryChannel {
  /** gRPC (protocol 'grpc'): calls on the reporter's session. */
  readonly grpc?: GrpcCaller;
  /** REST (protocol 'http'): a JSON POST to `path` under OAP's base URL. */
  readonly postJson?: (path: string, body: unknown, timeoutMs: number) => Promise<void>;
}

/** gRPC paths of the telemetry services (protocol.md §3). */
export const METER_COLLECT = '/skywalking.v3.MeterReportService/collect';
export const LOG_COLLECT = '/skywalking.v3.LogReportService/collect';

/**
 * Sends each batch of already-serialised messages as one client-streaming call to `path`:
 * every message, half-close, wait for OAP's answer. The segment transport's shape for any
 * other stream; closing is left to the owner of the caller (the segment reporter).
 */
export class GrpcStreamTransport implements BatchTransport<Uint8Array> {
  constructor(
    private readonly caller: GrpcCaller,
    private readonly path: string,
  ) {}

  send(batch: Uint8Array[], options: SendOptions): Promise<void> {
    return this.caller.call(this.path, batch, { timeoutMs: options.timeoutMs, stream: true });
  }
}
