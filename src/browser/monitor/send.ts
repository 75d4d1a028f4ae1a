// The sending seam: one bounded page queue per OAP browser path, with the segments' backoff,
// retry and keepalive rules. Always OAP's REST paths, whatever `protocol` says: error logs are
// client-streaming in gRPC (gRPC-web cannot carry them), so every deployment already needs the
// `/browser/*` REST routes, and one route for all five kinds is one proxy rule.
import { pageQueue, type PageQueue } from '../page-queue.js';
import { httpTransport } from '../transport.js';
import type { MonitorContext } from './types.js';

/** OAP's browser REST paths (protocol.md §3.2). */
export const PERF = '/browser/perfData';
export const VITALS = PERF + '/webVitals';
export const RESOURCES = PERF + '/resources';
export const INTERACTIONS = PERF + '/webInteractions';
export const ERRORS = '/browser/errorLogs';

/** The send function, and what the page's hide and pagehide do with what is queued. */
export function sender(ctx: MonitorContext, stopped: AbortSignal): [send: (path: string, record: object) => void, flush: (leaving: boolean) => void] {
  const queues: Record<string, PageQueue> = {};
  const { opts } = ctx;
  const send = (path: string, record: object) => {
    if (stopped.aborted) return;
    // perfData and webVitals take one object, the others a JSON array.
    const one = path == PERF || path == VITALS;
    (queues[path] ??= pageQueue({
      name: path,
      send: httpTransport(
        // An object endpoint gets the batch of one without its brackets.
        one ? (url, init) => ctx.rawFetch!(url, { ...init, body: (init!.body as Uint8Array<ArrayBuffer>).subarray(1, -1) }) : ctx.rawFetch!,
        ctx.base + path,
      ) as never,
      encode: JSON.stringify as never,
      interval: +opts.flushIntervalMs! || 3000,
      maxItems: 100,
      maxBytes: 1 << 20,
      maxBatch: one ? 1 : 100,
    })).report({ service: opts.service, serviceVersion: opts.serviceInstance || 'latest', pagePath: ctx.pathNow(), ...record } as never);
  };
  // Hidden: a normal flush (the transport uses keepalive while hidden). Leaving: what fits in
  // the keepalive budget that is left goes now, the rest would die with the page anyway.
  const flush = (leaving: boolean) => {
    for (const q of Object.values(queues))
      if (leaving) q.leave();
      else void q.flush();
  };
  return [send, flush];
}
