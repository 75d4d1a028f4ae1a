import * as grpc from '@grpc/grpc-js';
import type { BatchTransport, SendOptions } from '../../core/index.js';
import { TransportError } from '../../core/index.js';

const COLLECT = '/skywalking.v3.TraceSegmentReportService/collect';

// Segments are already SegmentObject bytes; the response (Commands) is not needed:
// OAP always answers trace calls with an empty one.
const passBytes = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const ignoreResponse = (b: Buffer): Buffer => b;

const RETRYABLE = new Set([
  grpc.status.UNAVAILABLE,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.RESOURCE_EXHAUSTED,
  grpc.status.ABORTED,
  grpc.status.INTERNAL,
  grpc.status.UNKNOWN,
  grpc.status.CANCELLED,
]);

/** gRPC status → TransportError: auth and argument errors are final, the rest retry. */
export function toTransportError(err: grpc.ServiceError | Error): TransportError {
  const code = (err as grpc.ServiceError).code;
  const name = typeof code === 'number' ? (grpc.status[code] ?? String(code)) : 'error';
  const hint =
    code === grpc.status.PERMISSION_DENIED || code === grpc.status.UNAUTHENTICATED
      ? ' (check the authentication token: OAP compares it exactly)'
      : '';
  return new TransportError(`${name}: ${(err as grpc.ServiceError).details || err.message}${hint}`, typeof code !== 'number' || RETRYABLE.has(code), { cause: err });
}

/**
 * Sends each batch as one client-streaming `TraceSegmentReportService/collect` call:
 * write every segment, half-close, wait for OAP's answer. One call per batch, and the
 * BatchReporter keeps one batch in flight, so calls never pile up while OAP is down.
 */
export class GrpcSegmentTransport implements BatchTransport<Uint8Array> {
  constructor(
    private readonly client: grpc.Client,
    private readonly metadata: () => grpc.Metadata,
  ) {}

  send(batch: Uint8Array[], options: SendOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      try {
        const call = this.client.makeClientStreamRequest(
          COLLECT,
          passBytes,
          ignoreResponse,
          this.metadata(),
          { deadline: Date.now() + options.timeoutMs },
          (err) => (err ? reject(toTransportError(err)) : resolve()),
        );
        call.on('error', () => {
          // Reported through the callback; a listener keeps the stream from throwing.
        });
        for (const segment of batch) call.write(segment);
        call.end();
      } catch (err) {
        reject(new TransportError(`gRPC call failed to start: ${(err as Error).message}`, true, { cause: err }));
      }
    });
  }
}
