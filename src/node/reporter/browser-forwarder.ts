import { diag } from '../../core/index.js';
import { encodeMessage } from '../../server/index.js';
import { Backoff } from './backoff.js';
import type { GrpcCaller } from './grpc-caller.js';

/** One call that carries `count` browser items to OAP. */
export interface BrowserCall {
  count: number;
  /** The call's encoded size in bytes, which the queue's byte bound counts. */
  bytes: number;
  send(): Promise<void>;
}

/** Counters of browser data forwarding. */
export interface BrowserForwardStats {
  /** Items OAP accepted. */
  forwarded: number;
  /** Items dropped: unencodable, over the queue's bounds, held back while OAP fails, or refused. */
  dropped: number;
}

/** Options of {@link BrowserForwarder}. */
export interface BrowserForwarderOptions {
  /** First backoff window after a failure, ms (doubles per failed probe, with jitter). Default 1000. */
  retryDelayMs?: number;
  /** Longest backoff window, ms. Default 30,000. */
  maxRetryDelayMs?: number;
}

const MAX_IN_FLIGHT = 16;
/** Items waiting for a free call slot, at most (a page's resource report is up to ~250). */
export const MAX_QUEUED_BROWSER_ITEMS = 2000;
/** Encoded bytes waiting for a free call slot, at most. */
export const MAX_QUEUED_BROWSER_BYTES = 4 * 1024 * 1024;

/**
 * Forwards browser perf data and error logs (OAP's JSON shapes, as the ingest handler
 * received them) to OAP, over whatever `plan` turns them into (gRPC BrowserPerfService
 * calls, or OAP's REST paths). While OAP answers nothing is lost: calls beyond the 16 in
 * flight wait in a queue bounded by item count and bytes (beyond it, dropped, counted and
 * reported once). While OAP fails, only one probe per backoff window goes; the rest, and
 * what was queued, is dropped and counted.
 */
export class BrowserForwarder {
  private readonly counts: BrowserForwardStats = { forwarded: 0, dropped: 0 };
  private readonly backoff: Backoff;
  private readonly queue: BrowserCall[] = [];
  private queuedItems = 0;
  private queuedBytes = 0;
  private inFlight = 0;

  constructor(
    private readonly plan: (path: string, items: unknown[]) => BrowserCall[],
    options: BrowserForwarderOptions = {},
  ) {
    this.backoff = new Backoff(options.retryDelayMs ?? 1000, options.maxRetryDelayMs ?? 30_000);
  }

  /** A snapshot of the counters. */
  get stats(): BrowserForwardStats {
    return { ...this.counts };
  }

  /** Forwards `items` received at OAP's REST path `path`. Never throws. */
  forward(path: string, items: unknown[]): void {
    if (items.length === 0) return;
    let calls: BrowserCall[];
    try {
      calls = this.plan(path, items);
    } catch (err) {
      this.counts.dropped += items.length;
      diag.once('warn', 'browser-forward-encode', `browser data for ${path} cannot be forwarded; dropped`, err);
      return;
    }
    for (const call of calls) {
      if (this.backoff.failing) {
        // Held back while OAP fails, but for one probe per backoff window.
        if (this.inFlight < MAX_IN_FLIGHT && this.backoff.allow()) this.send(call);
        else this.counts.dropped += call.count;
      } else if (this.queuedItems + call.count > MAX_QUEUED_BROWSER_ITEMS || this.queuedBytes + call.bytes > MAX_QUEUED_BROWSER_BYTES) {
        this.counts.dropped += call.count;
        diag.once('warn', 'browser-forward-full', `browser data arrives faster than OAP takes it: over ${MAX_QUEUED_BROWSER_ITEMS} items or ${MAX_QUEUED_BROWSER_BYTES} bytes waiting; the excess is dropped and counted (browserStats.dropped)`);
      } else {
        this.queue.push(call);
        this.queuedItems += call.count;
        this.queuedBytes += call.bytes;
      }
    }
    this.pump();
  }

  /** Starts queued calls while OAP answers and a call slot is free. */
  private pump(): void {
    while (!this.backoff.failing && this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      const call = this.queue.shift()!;
      this.queuedItems -= call.count;
      this.queuedBytes -= call.bytes;
      this.send(call);
    }
  }

  private send(call: BrowserCall): void {
    this.inFlight++;
    let sent: Promise<void>;
    try {
      sent = call.send();
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent.then(
      () => {
        this.inFlight--;
        this.counts.forwarded += call.count;
        if (this.backoff.failing) diag.info('browser data reaches OAP again');
        this.backoff.succeeded();
        this.pump();
      },
      (err: unknown) => {
        this.inFlight--;
        this.counts.dropped += call.count;
        if (!this.backoff.failing) diag.warn(`forwarding browser data to OAP failed (${(err as Error)?.message ?? err}); holding it back while OAP fails, dropped data is counted`);
        this.backoff.failed();
        // What waited is held back too: dropped and counted, not kept for an outage of unknown length.
        this.counts.dropped += this.queuedItems;
        this.queue.length = 0;
        this.queuedItems = 0;
        this.queuedBytes = 0;
      },
    );
  }
}

/** How each OAP browser REST path maps onto BrowserPerfService. */
const GRPC_ROUTES: Record<string, { method: string; type: string; stream: boolean }> = {
  '/browser/perfData': { method: 'collectPerfData', type: 'BrowserPerfData', stream: false },
  '/browser/perfData/webVitals': { method: 'collectWebVitalsPerfData', type: 'BrowserWebVitalsPerfData', stream: false },
  '/browser/perfData/resources': { method: 'collectResourcePerfData', type: 'BrowserResourcePerfData', stream: false },
  '/browser/perfData/webInteractions': { method: 'collectWebInteractionsPerfData', type: 'BrowserWebInteractionsPerfData', stream: false },
  '/browser/errorLog': { method: 'collectErrorLogs', type: 'BrowserErrorLog', stream: true },
  '/browser/errorLogs': { method: 'collectErrorLogs', type: 'BrowserErrorLog', stream: true },
};

/**
 * The gRPC plan: each item as a unary BrowserPerfService call (OAP's methods take one item
 * each; the forwarder's queue, not the plan, keeps them from being dropped), error logs as one
 * client-streaming `collectErrorLogs` call. Throws for data that does not fit its message.
 */
export function grpcBrowserPlan(caller: GrpcCaller): (path: string, items: unknown[]) => BrowserCall[] {
  return (path, items) => {
    const route = Object.hasOwn(GRPC_ROUTES, path) ? GRPC_ROUTES[path] : undefined;
    if (!route) return [];
    const messages = items.map((item) => encodeMessage(route.type, item as Record<string, unknown>));
    const full = `/skywalking.v3.BrowserPerfService/${route.method}`;
    const batches = route.stream ? [messages] : messages.map((m) => [m]);
    return batches.map((batch) => ({
      count: batch.length,
      bytes: batch.reduce((n, m) => n + m.length, 0),
      send: () => caller.call(full, batch, { timeoutMs: 10_000, stream: route.stream }),
    }));
  };
}
