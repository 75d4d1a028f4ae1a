// The Node reporter's one table of transient failures: gRPC and REST agree on what is retried.
import { describe, expect, it } from 'vitest';
import { retryableGrpcStatus, retryableHttpStatus } from '../../src/node/reporter/retryable.js';
import { statusError } from '../../src/node/reporter/grpc-caller.js';

describe('retryable statuses', () => {
  it('retries transient gRPC statuses only', () => {
    const retried = Array.from({ length: 17 }, (_, code) => code).filter(retryableGrpcStatus);
    // CANCELLED, UNKNOWN, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE.
    expect(retried).toEqual([1, 2, 4, 8, 10, 13, 14]);
    expect(statusError(14, 'down').retryable).toBe(true);
    expect(statusError(16, 'bad token').retryable).toBe(false);
  });

  it('retries 408, 429 and 5xx answers to a POST, not other 4xx', () => {
    expect([408, 429, 500, 502, 503, 504].every(retryableHttpStatus)).toBe(true);
    expect([400, 401, 403, 404, 413, 415].some(retryableHttpStatus)).toBe(false);
  });
});
