import { diag } from '../../core/index.js';
import { encodeMessage } from '../../server/index.js';
import { Backoff } from './backoff.js';
import type { GrpcCaller } from './grpc-caller.js';

/** One call that carries `count` browser items to OAP. */
export interface BrowserCall {
  count: number;
  send(): Promise<void>;
}

/** Counters of browser data forwarding. */
export interface BrowserForwardStats {
  /** Items OAP accepted. */
  forwarded: number;
  /** Items dropped: unencodable, over the in-flight cap, held back while OAP fails, or refused. */
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

/**
 * Forwards browser perf data and error logs (OAP's JSON shapes, as the ingest handler
 * received them) to OAP, over whatever `plan` turns them into (gRPC BrowserPerfService
 * calls, or OAP's REST paths). Best effort and bounded: at most 16 calls in flight, and
 * while OAP fails only one probe per backoff window; the rest are dropped and counted.
 */
export class BrowserForwarder {
  private readonly counts: BrowserForwardStats = { forwarded: 0, dropped: 0 };
  private readonly backoff: Backoff;
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
      if (this.inFlight >= MAX_IN_FLIGHT || !this.backoff.allow()) {
        this.counts.dropped += call.count;
        continue;
      }
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
        },
        (err: unknown) => {
          this.inFlight--;
          this.counts.dropped += call.count;
          if (!this.backoff.failing) diag.warn(`forwarding browser data to OAP failed (${(err as Error)?.message ?? err}); holding it back while OAP fails, dropped data is counted`);
          this.backoff.failed();
        },
      );
    }
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
 * The gRPC plan: each item as a unary BrowserPerfService call, error logs as one
 * client-streaming `collectErrorLogs` call. Throws for data that does not fit its message.
 */
export function grpcBrowserPlan(caller: GrpcCaller): (path: string, items: unknown[]) => BrowserCall[] {
  return (path, items) => {
    const route = Object.hasOwn(GRPC_ROUTES, path) ? GRPC_ROUTES[path] : undefined;
    if (!route) return [];
    const messages = items.map((item) => encodeMessage(route.type, item as Record<string, unknown>));
    const full = `/skywalking.v3.BrowserPerfService/${route.method}`;
    const batches = route.stream ? [messages] : messages.map((m) => [m]);
    return batches.map((batch) => ({ count: batch.length, send: () => caller.call(full, batch, { timeoutMs: 10_000, stream: route.stream }) }));
  };
}
