import { TransportError } from '../../core/index.js';
import { retryableStatus as retryableGrpcStatus } from '../../core/retryable.js';

/**
 * One gRPC call to OAP, whatever client library carries it: `messages` are serialised
 * request messages (one for a unary call, any number for a client stream); resolves on
 * status OK, rejects with a {@link TransportError} otherwise. The response (always an
 * empty `Commands` from OAP) is ignored.
 */
export interface GrpcCaller {
  call(path: string, messages: readonly Uint8Array[], options: { timeoutMs: number; stream: boolean }): Promise<void>;
  close(): void;
}

const NAMES: Record<number, string> = {
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  10: 'ABORTED',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  16: 'UNAUTHENTICATED',
};

/** A gRPC status as a TransportError, retryable as retryable.ts says. */
export function statusError(code: number, message: string, cause?: unknown): TransportError {
  const hint = code === 7 || code === 16 ? ' (check the authentication token: OAP compares it exactly)' : '';
  return new TransportError(`${NAMES[code] ?? `status ${code}`}: ${message || 'no message'}${hint}`, retryableGrpcStatus(code), cause === undefined ? undefined : { cause });
}
