// A page-side fetch recorder for keepalive checks. Installed with page.addInitScript before
// any page script, so the agent captures it as its own fetch at start().
import type { Page } from 'playwright-core';

/** One fetch the page made. `inFlight`: keepalive body bytes of unanswered requests when it started, itself included. */
export interface FetchRecord {
  url: string;
  keepalive: boolean;
  size: number;
  inFlight: number;
  settled: boolean;
  error?: string;
}

/** The init script: wraps window.fetch and keeps records in `window.fetchRecords`. */
export function recordFetch(): void {
  const records: FetchRecord[] = [];
  (window as unknown as { fetchRecords: FetchRecord[] }).fetchRecords = records;
  const native = window.fetch;
  window.fetch = function (this: unknown, input: RequestInfo | URL, init?: RequestInit) {
    const body = init?.body as Uint8Array | string | undefined;
    const size = typeof body === 'string' ? new TextEncoder().encode(body).length : (body?.byteLength ?? 0);
    const keepalive = !!init?.keepalive;
    const inFlight = records.filter((c) => c.keepalive && !c.settled).reduce((n, c) => n + c.size, keepalive ? size : 0);
    const rec: FetchRecord = { url: String(input instanceof Request ? input.url : input), keepalive, size, inFlight, settled: false };
    records.push(rec);
    const p = native.call(this, input, init);
    // Settled at the answer's headers. (The browser frees a keepalive body's budget only at
    // the end of the answer, so an over-budget request is rejected: `error` tells.)
    p.then(
      () => (rec.settled = true),
      (e: unknown) => ((rec.settled = true), (rec.error = String(e))),
    );
    return p;
  } as typeof fetch;
}

/**
 * The records of requests to URLs starting with `prefix`, once each has settled (at most
 * `timeoutMs`; after that, as they are). A collector records a body before its answer
 * reaches the page: reading the records the moment the collector has everything would find
 * the last request still unanswered on a busy machine.
 */
export async function fetchRecords(page: Page, prefix: string, timeoutMs = 10_000): Promise<FetchRecord[]> {
  await page
    .waitForFunction((p) => (window as unknown as { fetchRecords: FetchRecord[] }).fetchRecords.every((r) => r.settled || !r.url.startsWith(p)), prefix, { timeout: timeoutMs, polling: 50 })
    .catch(() => {
      // Still unanswered: the caller's assertions say which.
    });
  return page.evaluate((p) => (window as unknown as { fetchRecords: FetchRecord[] }).fetchRecords.filter((r) => r.url.startsWith(p)), prefix);
}

/** Makes the page report itself hidden and fires visibilitychange. */
export function hidePage(page: Page): Promise<void> {
  return page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
}
