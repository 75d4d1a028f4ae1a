// The browser agent's reporter: batches over gRPC-web or HTTP through the page's own fetch,
// and what happens to the queue when the page is hidden or left.
import { BatchReporter } from '../core/batch-reporter.js';
import { diag } from '../core/diag.js';
import { encodeSegment } from '../core/encode/segment-codec.js';
import type { Reporter } from '../core/reporter.js';
import type { BrowserAgentOptions } from './options.js';
import { grpcWebTransport, httpTransport, KEEPALIVE_BUDGET, keepaliveBytes, sizeOf } from './transport.js';

/** A reporter, with the batch reporter's queue when it is ours. */
export type PageReporter = Reporter & Partial<Pick<BatchReporter<unknown>, 'drainFinal' | 'queue'>>;

/** The reporter for `options`, sending to `url` (the report endpoint). */
export function pageReporter(options: BrowserAgentOptions, http: boolean, url: string): PageReporter {
  const g = globalThis;
  return (
    options.reporter ??
    new BatchReporter<never>({
      // fetch captured before patching: the agent's own reports are never traced. Without
      // fetch (very old browsers) sends fail and are counted; the agent itself still runs.
      transport: (http ? httpTransport : grpcWebTransport)(g.fetch?.bind(g), url),
      encode: (http ? JSON.stringify : encodeSegment) as never,
      // `+`: data-* attributes arrive as text; no or no numeric value takes the default.
      flushIntervalMs: +options.flushIntervalMs! || 3000,
      maxQueueSize: +options.maxQueueSize! || 500,
      maxQueueBytes: 2 << 20,
      // With framing, one batch fits the 64 KiB keepalive budget.
      maxBatchBytes: 60_000,
      sizeOf,
    })
  );
}

/**
 * The page is leaving: what fits in the keepalive budget goes now; the rest could only die
 * with the page, so it is dropped and counted once. (Hidden is a normal flush: one batch at
 * a time, each with keepalive, the transport decides.)
 */
export function leavePage(reporter: PageReporter): void {
  const q = reporter.queue;
  if (q) {
    const fit = q.take(200, KEEPALIVE_BUDGET - 1024 - keepaliveBytes);
    if (q.length) {
      diag.warn(`page left: ${q.length} segments beyond the keepalive budget dropped`);
      q.drop(q.length);
      q.clear();
    }
    q.unshift(fit);
    reporter.drainFinal?.(KEEPALIVE_BUDGET);
  }
}
