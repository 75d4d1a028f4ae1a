import * as grpc from '@grpc/grpc-js';
import type { BatchTransport, SendOptions } from '../../core/index.js';
import { statusError, type GrpcCaller } from './grpc-caller.js';

const COLLECT = '/skywalking.v3.TraceSegmentReportService/collect';

// Messages are already serialised; the response (Commands) is not needed.
const passBytes = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const ignoreResponse = (b: Buffer): Buffer => b;

/**
 * gRPC calls through @grpc/grpc-js. Note that grpc-js keeps the process alive while a
 * call is in flight (until its deadline); the node:http2 caller does not.
 */
export class GrpcJsCaller implements GrpcCaller {
  constructor(
    private readonly client: grpc.Client,
    private readonly metadata: () => grpc.Metadata,
  ) {}

  call(path: string, messages: readonly Uint8Array[], options: { timeoutMs: number; stream: boolean }): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (err: grpc.ServiceError | null) => (err ? reject(statusError(err.code, err.details || err.message, err)) : resolve());
      const callOptions = { deadline: Date.now() + options.timeoutMs };
      try {
        if (!options.stream && messages.length === 1) {
          this.client.makeUnaryRequest(path, passBytes, ignoreResponse, messages[0]!, this.metadata(), callOptions, done);
          return;
        }
        const call = this.client.makeClientStreamRequest(path, passBytes, ignoreResponse, this.metadata(), callOptions, done);
        call.on('error', () => {
          // Reported through the callback; a listener keeps the stream from throwing.
        });
        for (const m of messages) call.write(m);
        call.end();
      } catch (err) {
        reject(statusError(14, `call failed to start: ${(err as Error).message}`, err));
      }
    });
  }

  close(): void {
    try {
      this.client.close();
    } catch {
      // already closed
    }
  }
}

/**
 * Sends each batch as one client-streaming `TraceSegmentReportService/collect` call:
 * every segment, half-close, wait for OAP's answer. The BatchReporter keeps one batch in
 * flight while OAP fails, so calls never pile up in the client while it is down.
 */
export class GrpcSegmentTransport implements BatchTransport<Uint8Array> {
  constructor(private readonly caller: GrpcCaller) {}

  send(batch: Uint8Array[], options: SendOptions): Promise<void> {
    return this.caller.call(COLLECT, batch, { timeoutMs: options.timeoutMs, stream: true });
  }

  close(): void {
    this.caller.close();
  }
}
