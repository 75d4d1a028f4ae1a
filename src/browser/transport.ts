import type { BatchTransport, SendOptions } from '../core/index.js';
import { TransportError, encodeSegmentCollection } from '../core/index.js';
import { frame, grpcStatus } from './grpc-web.js';

type Fetch = typeof fetch;

/** Where gRPC-web reports go, under the collector URL. */
export const GRPC_WEB_PATH = '/skywalking.v3.TraceSegmentReportService/collectInSync';
/** Where HTTP (JSON) reports go, under the collector URL: OAP's own path. */
export const HTTP_PATH = '/v3/segments';

const RETRY_STATUS = [408, 429, 502, 503, 504];
// gRPC codes worth retrying: DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, UNAVAILABLE.
// Not UNKNOWN (2, also a missing status): a server that never answers gRPC-web would be
// retried forever.
const RETRY_GRPC = [4, 8, 10, 14];

async function post(fetchFn: Fetch, url: string, body: BodyInit, headers: Record<string, string>, options: SendOptions): Promise<Response> {
  let res: Response;
  try {
    res = await fetchFn(url, {
      method: 'POST',
      body,
      headers,
      keepalive: options.final,
      // A hanging collector must not hold the request (and its memory) forever.
      signal: options.final ? undefined : AbortSignal.timeout?.(options.timeoutMs),
    });
  } catch (err) {
    throw new TransportError('network error', true, { cause: err });
  }
  if (!res.ok) throw new TransportError('HTTP ' + res.status, RETRY_STATUS.includes(res.status));
  return res;
}

/**
 * gRPC-web: one unary `collectInSync` with a `SegmentCollection` per batch. The status comes
 * from the trailer frame (flag 0x80), or from the headers for a trailers-only answer.
 */
export function grpcWebTransport(fetchFn: Fetch, base: string): BatchTransport<Uint8Array> {
  const url = base + GRPC_WEB_PATH;
  return {
    async send(batch, options) {
      const body = frame(encodeSegmentCollection(batch));
      const res = await post(fetchFn, url, body, { 'content-type': 'application/grpc-web+proto', 'x-grpc-web': '1' }, options);
      // The page is going away: nobody would act on the answer.
      if (options.final) return;
      // No status anywhere is UNKNOWN (2), as the official client treats it.
      const code = grpcStatus(new Uint8Array(await res.arrayBuffer()), res.headers.get('grpc-status')) ?? 2;
      if (code !== 0) throw new TransportError('grpc-status ' + code, RETRY_GRPC.includes(code));
    },
  };
}

/** HTTP: OAP's `POST /v3/segments` with a JSON array. Items are JSON strings. */
export function httpTransport(fetchFn: Fetch, base: string): BatchTransport<string> {
  const url = base + HTTP_PATH;
  return {
    async send(batch, options) {
      await post(fetchFn, url, '[' + batch.join(',') + ']', { 'content-type': 'application/json' }, options);
    },
  };
}
