import type { BatchTransport, SendOptions } from '../core/index.js';
import { TransportError, encodeSegmentCollection } from '../core/index.js';

type Fetch = typeof fetch;

const RETRY_STATUS = [408, 429, 502, 503, 504];
// gRPC codes worth retrying: UNKNOWN, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, UNAVAILABLE.
const RETRY_GRPC = [2, 4, 8, 10, 14];

async function post(fetchFn: Fetch, url: string, body: BodyInit, headers: Record<string, string>, options: SendOptions): Promise<Response> {
  let res: Response;
  try {
    res = await fetchFn(url, { method: 'POST', body, headers, keepalive: options.final, credentials: 'same-origin', redirect: 'error' });
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
  const url = base + '/skywalking.v3.TraceSegmentReportService/collectInSync';
  return {
    async send(batch, options) {
      const msg = encodeSegmentCollection(batch);
      const body = new Uint8Array(5 + msg.length);
      new DataView(body.buffer).setUint32(1, msg.length);
      body.set(msg, 5);
      const res = await post(fetchFn, url, body, { 'content-type': 'application/grpc-web+proto', 'x-grpc-web': '1' }, options);
      if (options.final) return;
      // Trailers-only answers carry the status in headers; normal ones in the trailer
      // frame, the only place in the body where this text can appear (Commands is empty).
      const status = res.headers.get('grpc-status') ?? /grpc-status:\s*(\d+)/.exec(new TextDecoder().decode(await res.arrayBuffer()))?.[1];
      const code = Number(status ?? 2);
      if (code !== 0) throw new TransportError('grpc-status ' + code, RETRY_GRPC.includes(code));
    },
  };
}

/** HTTP: OAP's `POST /v3/segments` with a JSON array. Items are JSON strings. */
export function httpTransport(fetchFn: Fetch, base: string): BatchTransport<string> {
  const url = base + '/v3/segments';
  return {
    async send(batch, options) {
      await post(fetchFn, url, '[' + batch.join(',') + ']', { 'content-type': 'application/json' }, options);
    },
  };
}
