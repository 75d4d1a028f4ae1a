// Which failed sends the Node reporter tries again, for both of its protocols: one table, so
// gRPC and REST agree on what is transient. Platform-free on purpose (no Node imports): the
// browser reporter should use the same table.

/**
 * gRPC status codes worth retrying: CANCELLED, UNKNOWN, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED,
 * ABORTED, INTERNAL, UNAVAILABLE. Argument, auth and unimplemented errors will not get better.
 */
const RETRYABLE_GRPC: ReadonlySet<number> = new Set([1, 2, 4, 8, 10, 13, 14]);

/** Whether a call that ended with gRPC status `code` is worth sending again. */
export function retryableGrpcStatus(code: number): boolean {
  return RETRYABLE_GRPC.has(code);
}

/**
 * Whether a POST answered with HTTP `status` is worth sending again: request timeout (408),
 * too many requests (429) and server errors (5xx, the statuses gRPC maps to UNKNOWN,
 * UNAVAILABLE and INTERNAL). Other 4xx will not get better.
 */
export function retryableHttpStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
