import type { BatchTransport, SendOptions } from '../core/batch-reporter.js';
import { TransportError } from '../core/batch-reporter.js';
import { utf8 } from '../core/base64.js';
import { retryableStatus } from '../core/retryable.js';
import { grpcStatus } from './grpc-web.js';
import { collectionFrame } from './pb.js';

type Fetch = typeof fetch;

/** Where gRPC-web reports go, under the collector URL. */
export const GRPC_WEB_PATH = '/skywalking.v3.TraceSegmentReportService/collectInSync';
/** Where HTTP (JSON) reports go, under the collector URL: OAP's own path. */
export const HTTP_PATH = '/v3/segments';

/** The keepalive allowance: browsers let a page have 64 KiB of keepalive bodies in flight, in total. */
export const KEEPALIVE_BUDGET = 65536;
/** Bytes of the agent's keepalive bodies in flight now. */
export let keepaliveBytes = 0;

/** POSTs `body` and reads the whole answer: the response and its body. */
async function post(fetchFn: Fetch, url: string, body: Uint8Array<ArrayBuffer>, headers: Record<string, string>, options: SendOptions): Promise<[Response, ArrayBuffer]> {
  const size = body.length;
  // Final sends, and every send while the page is hidden that fits what is left: a hidden
  // page can be closed or discarded without another event, and only keepalive survives that.
  // `held` is the body size for a keepalive send, else 0.
  const held = +(options.final || (globalThis.document?.visibilityState === 'hidden' && keepaliveBytes + size <= KEEPALIVE_BUDGET)) && size;
  keepaliveBytes += held;
  let res: Response;
  let answer: ArrayBuffer;
  try {
    res = await fetchFn(url, {
      method: 'POST',
      body,
      headers,
      keepalive: held > 0,
      // A hanging collector must not hold the request (and its memory) forever. (After an
      // unload the page's timers are gone: a final send is not cut short.)
      signal: AbortSignal.timeout?.(options.timeoutMs),
    });
    // Read to the end: the browser gives a keepalive body's share of the budget back only
    // when the whole exchange is over, not when the headers arrive.
    answer = await res.arrayBuffer();
  } catch (err) {
    // The browser's own words (e.g. "TypeError: Failed to fetch") are what the diagnostics show.
    throw new TransportError(String(err), true);
  } finally {
    keepaliveBytes -= held;
  }
  if (!res.ok) throw new TransportError('HTTP ' + res.status, retryableStatus(res.status));
  return [res, answer];
}


/** An encoded segment's size in bytes: JSON is measured as UTF-8, since budgets count bytes, not characters. */
export function sizeOf(item: string | Uint8Array): number {
  return typeof item === 'string' ? utf8.encode(item).length : item.length;
}

/**
 * The send function of gRPC-web, to `url` (the collector plus {@link GRPC_WEB_PATH}): one unary `collectInSync` with a `SegmentCollection` per batch. The status comes
 * from the trailer frame (flag 0x80), or from the headers for a trailers-only answer.
 */
export function grpcWebTransport(fetchFn: Fetch, url: string): BatchTransport<Uint8Array>['send'] {
  return async (batch, options) => {
    const [res, answer] = await post(fetchFn, url, collectionFrame(batch), { 'content-type': 'application/grpc-web+proto', 'x-grpc-web': '1' }, options);
    const code = grpcStatus(answer, res.headers.get('grpc-status'));
    if (code !== 0) throw new TransportError('grpc-status ' + code, retryableStatus(code));
  };
}

/** The send function of HTTP, to `url` (the collector plus {@link HTTP_PATH}): OAP's `POST /v3/segments` with a JSON array. Items are JSON strings. */
export function httpTransport(fetchFn: Fetch, url: string): BatchTransport<string>['send'] {
  return async (batch, options) => {
    await post(fetchFn, url, utf8.encode('[' + batch.join(',') + ']'), { 'content-type': 'application/json' }, options);
  };
}
