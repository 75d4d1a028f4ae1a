// The browser agent's reporter: batches over gRPC-web or HTTP through the page's own fetch,
// and what happens to the queue when the page is hidden or left.
import type { Reporter } from '../core/reporter.js';
import type { BrowserAgentOptions } from './options.js';
import { pageQueue, type PageQueue } from './page-queue.js';
import { encodePb } from './pb.js';
import { grpcWebTransport, httpTransport } from './transport.js';

/** A reporter, with the page queue's pagehide path when it is ours. */
export type PageReporter = Reporter & Partial<Pick<PageQueue, 'leave'>>;

/** The reporter for `options`, sending to `url` (the report endpoint). */
export function pageReporter(options: BrowserAgentOptions, http: boolean, url: string): PageReporter {
  const g = globalThis;
  return (
    options.reporter ??
    pageQueue({
      name: 'segments',
      // fetch captured before patching: the agent's own reports are never traced. Without
      // fetch (very old browsers) sends fail and are counted; the agent itself still runs.
      send: (http ? httpTransport : grpcWebTransport)(g.fetch?.bind(g), url) as never,
      encode: (http ? JSON.stringify : encodePb) as never,
      // `+`: data-* attributes arrive as text; no or no numeric value takes the default.
      interval: +options.flushIntervalMs! || 3000,
      maxItems: +options.maxQueueSize! || 500,
      maxBytes: 2 << 20,
      maxBatch: 200,
    })
  );
}
