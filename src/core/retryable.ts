// Which failed sends are worth sending again, for every reporter (Node's gRPC and REST, the
// page's gRPC-web and HTTP): one table, so the runtimes and protocols agree on what is
// transient. gRPC status codes (0-16) and HTTP statuses (100-599) do not overlap, so one
// list holds both. A missing gRPC status reads as UNKNOWN and is retried like an outage: a
// collector at the wrong address is waited for with backoff (one diagnostic), as a down one is.

/**
 * Whether a send that ended with `status` is worth sending again. `status` is a gRPC status
 * code or the HTTP status of a POST. Retried: gRPC CANCELLED (1), UNKNOWN (2),
 * DEADLINE_EXCEEDED (4), RESOURCE_EXHAUSTED (8), ABORTED (10), INTERNAL (13), UNAVAILABLE
 * (14); HTTP request timeout (408), too many requests (429) and server errors (5xx, the
 * statuses gRPC maps to UNKNOWN, UNAVAILABLE and INTERNAL). Argument, auth and
 * unimplemented errors and other 4xx will not get better.
 * @internal
 */
export function retryableStatus(status: number): boolean {
  return [1, 2, 4, 8, 10, 13, 14, 408, 429].includes(status) || status > 499;
}
