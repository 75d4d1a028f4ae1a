import type * as grpc from '@grpc/grpc-js';
import type { BatchTransport, SendOptions, TransportError } from '../../core/index.js';
import { statusError, type GrpcCaller } from './grpc-caller.js';
import { loadGrpcJs } from './grpc-js.js';

const COLLECT = '/skywalking.v3.TraceSegmentReportService/collect';

// Messages are already serialised; the response (Commands) is not needed.
const passBytes = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const ignoreResponse = (b: Buffer): Buffer => b;

/**
 * gRPC calls through @grpc/grpc-js, with the process-exit behaviour of the node:http2
 * caller as far as grpc-js allows. grpc-js keeps the event loop alive while a call waits
 * for a connection (a ref'd timer for its pick queue) and for its deadline (a ref'd
 * timer), so against a collector that accepts TCP but never speaks HTTP/2 an app that has
 * finished its work would stay up until the deadline. So a call is only made on a READY
 * channel: until then we wait for the connection ourselves, with an unref'd timer and no
 * grpc-js deadline, failing fast (UNAVAILABLE) while the channel is in TRANSIENT_FAILURE.
 * The deadline of a made call is our own unref'd timer too, which cancels it. What remains:
 * grpc-js refs an established HTTP/2 session while a call is active on it, so a collector
 * that completes the handshake and then never answers holds the process for up to the
 * send deadline; the node:http2 caller never does.
 */
export class GrpcJsCaller implements GrpcCaller {
  constructor(
    private readonly client: grpc.Client,
    private readonly metadata: () => grpc.Metadata,
  ) {}

  call(path: string, messages: readonly Uint8Array[], options: { timeoutMs: number; stream: boolean }): Promise<void> {
    // Loaded already: the client passed in was made with it.
    const { READY, TRANSIENT_FAILURE, SHUTDOWN } = loadGrpcJs().connectivityState;
    return new Promise((resolve, reject) => {
      let settled = false;
      let call: grpc.ClientUnaryCall | grpc.ClientWritableStream<Uint8Array> | undefined;
      const settle = (err?: TransportError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(() => {
        call?.cancel();
        settle(statusError(4, call ? `no answer within ${options.timeoutMs} ms` : `not connected within ${options.timeoutMs} ms`));
      }, options.timeoutMs);
      timer.unref();
      const done = (err: grpc.ServiceError | null) => settle(err ? statusError(err.code, err.details || err.message, err) : undefined);
      const start = () => {
        if (settled) return;
        try {
          if (!options.stream && messages.length === 1) {
            call = this.client.makeUnaryRequest(path, passBytes, ignoreResponse, messages[0]!, this.metadata(), {}, done);
            return;
          }
          const stream = this.client.makeClientStreamRequest(path, passBytes, ignoreResponse, this.metadata(), {}, done);
          call = stream;
          stream.on('error', () => {
            // Reported through the callback; a listener keeps the stream from throwing.
          });
          for (const m of messages) stream.write(m);
          stream.end();
        } catch (err) {
          settle(statusError(14, `call failed to start: ${(err as Error).message}`, err));
        }
      };
      const whenReady = () => {
        if (settled) return;
        let channel: ReturnType<grpc.Client['getChannel']>;
        let state: grpc.connectivityState;
        try {
          channel = this.client.getChannel();
          state = channel.getConnectivityState(true);
        } catch (err) {
          return settle(statusError(14, `channel unusable: ${(err as Error).message}`, err));
        }
        if (state === READY) return start();
        if (state === TRANSIENT_FAILURE) return settle(statusError(14, 'cannot connect to the collector'));
        if (state === SHUTDOWN) return settle(statusError(14, 'channel closed'));
        // No deadline here: grpc-js would hold a ref'd timer for it. Our timer bounds the wait.
        channel.watchConnectivityState(state, Infinity, whenReady);
      };
      whenReady();
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
