import { diag } from '../../core/index.js';
import { encodeMessage } from '../../server/index.js';
import type { GrpcCaller } from './grpc-caller.js';

/** How each OAP browser REST path maps onto BrowserPerfService. */
const ROUTES: Record<string, { method: string; type: string; stream: boolean }> = {
  '/browser/perfData': { method: 'collectPerfData', type: 'BrowserPerfData', stream: false },
  '/browser/perfData/webVitals': { method: 'collectWebVitalsPerfData', type: 'BrowserWebVitalsPerfData', stream: false },
  '/browser/perfData/resources': { method: 'collectResourcePerfData', type: 'BrowserResourcePerfData', stream: false },
  '/browser/perfData/webInteractions': { method: 'collectWebInteractionsPerfData', type: 'BrowserWebInteractionsPerfData', stream: false },
  '/browser/errorLog': { method: 'collectErrorLogs', type: 'BrowserErrorLog', stream: true },
  '/browser/errorLogs': { method: 'collectErrorLogs', type: 'BrowserErrorLog', stream: true },
};

const MAX_IN_FLIGHT = 16;

/**
 * Forwards browser perf data and error logs (OAP's JSON shapes, as the ingest handler
 * received them) to OAP's BrowserPerfService over the reporter's gRPC channel. Best
 * effort and bounded: at most 16 calls in flight, the rest dropped and counted.
 */
export class BrowserForwarder {
  dropped = 0;
  private inFlight = 0;

  constructor(private readonly caller: GrpcCaller) {}

  forward(path: string, items: unknown[]): void {
    const route = ROUTES[path];
    if (!route || items.length === 0) return;
    let messages: Uint8Array[];
    try {
      messages = items.map((item) => encodeMessage(route.type, item as Record<string, unknown>));
    } catch (err) {
      this.dropped += items.length;
      diag.once('warn', 'browser-forward-encode', `browser data for ${path} does not fit ${route.type}; dropped`, err);
      return;
    }
    const calls = route.stream ? [messages] : messages.map((m) => [m]);
    for (const batch of calls) {
      if (this.inFlight >= MAX_IN_FLIGHT) {
        this.dropped += batch.length;
        continue;
      }
      this.inFlight++;
      this.caller.call(`/skywalking.v3.BrowserPerfService/${route.method}`, batch, { timeoutMs: 10_000, stream: route.stream }).then(
        () => void this.inFlight--,
        (err: unknown) => {
          this.inFlight--;
          this.dropped += batch.length;
          diag.once('warn', 'browser-forward', `forwarding browser data to OAP failed: ${(err as Error)?.message ?? err}`);
        },
      );
    }
  }
}
