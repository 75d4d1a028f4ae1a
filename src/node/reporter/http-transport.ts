import http from 'node:http';
import https from 'node:https';
import type { BatchTransport, SendOptions } from '../../core/index.js';
import { TransportError } from '../../core/index.js';
import { runSuppressed } from '../suppress.js';

/**
 * POSTs batches as a JSON array to OAP's REST `/v3/segments`. Items are JSON strings
 * encoded at report time, so a batch is one concatenation. Runs suppressed: the
 * agent's own requests are never traced.
 */
export class HttpSegmentTransport implements BatchTransport<string> {
  private readonly url: URL;
  private readonly agent: http.Agent;
  private browserInFlight = 0;
  /** Browser items dropped: over the in-flight cap or refused by OAP. */
  browserDropped = 0;

  constructor(
    base: string,
    private readonly headers: Record<string, string>,
    tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer },
  ) {
    this.url = new URL('v3/segments', base.endsWith('/') ? base : base + '/');
    this.agent =
      this.url.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, maxSockets: 2, ca: tls?.ca, cert: tls?.cert, key: tls?.key })
        : new http.Agent({ keepAlive: true, maxSockets: 2 });
  }

  send(batch: string[], options: SendOptions): Promise<void> {
    return this.post(this.url, '[' + batch.join(',') + ']', options.timeoutMs);
  }

  /**
   * Forwards browser data to OAP's REST path (`/browser/errorLogs`, …): arrays where OAP
   * takes arrays, the single object where it takes one. Best effort; never rejects.
   */
  forwardBrowser(path: string, items: unknown[]): void {
    if (!path.startsWith('/browser/') || items.length === 0) return;
    const single = path === '/browser/perfData' || path === '/browser/perfData/webVitals' || path === '/browser/errorLog';
    const bodies = single ? items.map((i) => JSON.stringify(i)) : [JSON.stringify(items)];
    const url = new URL(path.slice(1), this.url.href.replace(/v3\/segments$/, ''));
    for (const body of bodies) {
      // Bounded like the gRPC forwarder: a slow OAP must not pile up requests in the agent.
      if (this.browserInFlight >= 16) {
        this.browserDropped++;
        continue;
      }
      this.browserInFlight++;
      this.post(url, body, 10_000).then(
        () => void this.browserInFlight--,
        () => {
          this.browserInFlight--;
          this.browserDropped++;
        },
      );
    }
  }

  private post(url: URL, body: string, timeoutMs: number): Promise<void> {
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      runSuppressed(() => {
        const req = mod.request(
          url,
          {
            method: 'POST',
            agent: this.agent,
            timeout: timeoutMs,
            headers: { ...this.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            res.resume();
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve();
            else reject(new TransportError(`HTTP ${status} from ${url.href}`, status === 429 || status === 408 || status >= 500));
          },
        );
        // A hanging OAP must not keep the process alive; an awaited flush holds its own ref.
        req.on('socket', (socket) => socket.unref());
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', (err) => reject(new TransportError(err.message, true, { cause: err })));
        req.end(body);
      });
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
