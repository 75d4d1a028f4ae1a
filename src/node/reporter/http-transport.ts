import http from 'node:http';
import https from 'node:https';
import type { BatchTransport, SendOptions } from '../../core/index.js';
import { TransportError } from '../../core/index.js';
import { runSuppressed } from '../suppress.js';
import type { BrowserCall } from './browser-forwarder.js';
import { httpPortHint, isHttpParseError } from './port-hint.js';
import { retryableStatus as retryableHttpStatus } from '../../core/retryable.js';

/**
 * POSTs batches as a JSON array to OAP's REST `/v3/segments`. Items are the UTF-8 bytes of
 * JSON objects encoded at report time, so a batch is one concatenation. Runs suppressed:
 * the agent's own requests are never traced.
 */
export class HttpSegmentTransport implements BatchTransport<Uint8Array> {
  private readonly base: URL;
  private readonly url: URL;
  private readonly agent: http.Agent;

  constructor(
    base: string,
    private readonly headers: Record<string, string>,
    tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer },
  ) {
    this.base = new URL(base.endsWith('/') ? base : base + '/');
    this.url = new URL('v3/segments', this.base);
    this.agent =
      this.url.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, maxSockets: 2, ca: tls?.ca, cert: tls?.cert, key: tls?.key })
        : new http.Agent({ keepAlive: true, maxSockets: 2 });
  }

  send(batch: Uint8Array[], options: SendOptions): Promise<void> {
    return this.post(this.url, jsonArray(batch), options.timeoutMs);
  }

  /**
   * The calls that carry browser data to OAP's REST path (`/browser/errorLogs`, …): arrays
   * where OAP takes arrays, one call per object where it takes one.
   */
  browserPlan(path: string, items: unknown[]): BrowserCall[] {
    if (!path.startsWith('/browser/')) return [];
    const single = path === '/browser/perfData' || path === '/browser/perfData/webVitals' || path === '/browser/errorLog';
    const url = this.pathUrl(path);
    const call = (count: number, body: string): BrowserCall => ({ count, bytes: Buffer.byteLength(body), send: () => this.post(url, body, 10_000) });
    return single ? items.map((i) => call(1, JSON.stringify(i))) : [call(items.length, JSON.stringify(items))];
  }

  /** POSTs `body` as JSON to `path` under the collector's base URL (management calls). */
  postJson(path: string, body: unknown, timeoutMs: number): Promise<void> {
    return this.post(this.pathUrl(path), JSON.stringify(body), timeoutMs);
  }

  private pathUrl(path: string): URL {
    return new URL(path.slice(1), this.base);
  }

  private post(url: URL, body: string | Buffer, timeoutMs: number): Promise<void> {
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
            else reject(new TransportError(`HTTP ${status} from ${url.href}`, retryableHttpStatus(status)));
          },
        );
        // A hanging OAP must not keep the process alive; an awaited flush holds its own ref.
        req.on('socket', (socket) => socket.unref());
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', (err) => reject(new TransportError(err.message + (isHttpParseError(err) ? httpPortHint(url.origin) : ''), true, { cause: err })));
        req.end(body);
      });
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** `[a,b,…]` from the UTF-8 bytes of JSON values, in one buffer. */
function jsonArray(items: readonly Uint8Array[]): Buffer {
  let total = 1 + Math.max(1, items.length);
  for (const b of items) total += b.length;
  const body = Buffer.allocUnsafe(total);
  let p = 0;
  body[p++] = 0x5b; // [
  items.forEach((b, i) => {
    if (i > 0) body[p++] = 0x2c; // ,
    body.set(b, p);
    p += b.length;
  });
  body[p] = 0x5d; // ]
  return body;
}
