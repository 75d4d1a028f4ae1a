// Which failed sends are worth sending again, for every reporter (Node's gRPC and REST, the
// page's gRPC-web and HTTP): one table, so the runtimes and protocols agree on what is
// transient. A missing gRPC status reads as UNKNOWN and is retried like an outage: a collector
// at the wrong address is waited for with backoff (one diagnostic), as a down one is.

/**
 * Whether a call that ended with gRPC status `code` is worth sending again: CANCELLED (1),
 * UNKNOWN (2), DEADLINE_EXCEEDED (4), RESOURCE_EXHAUSTED (8), ABORTED (10), INTERNAL (13),
 * UNAVAILABLE (14). Argument, auth and unimplemented errors will not get better.
 * @internal
 */
export function retryableGrpcStatus(code: number): boolean {
  return [1, 2, 4, 8, 10, 13, 14].includes(code);
}

/**
 * Whether a POST answered with HTTP `status` is worth sending again: request timeout (408),
 * too many requests (429) and server errors (5xx, the statuses gRPC maps to UNKNOWN,
 * UNAVAILABLE and INTERNAL). Other 4xx will not get better.
 * @internal
 */
export function retryableHttpStatus(status: number): boolean {
  return status === 408 || status === 429 || status > 499;
}
