// The browser's reporter: a queue bounded by count and bytes, sent in batches on a timer, one
// batch in flight, failures retried with backoff and jitter, flush/shutdown with deadlines
// that never reject, and what a leaving page can still send. The core's BatchReporter has the
// same rules plus what only servers need (concurrency, unref'd timers, a reusable queue
// class); this closure is its page-sized form, and shared by segments and monitoring.
import { retryDelay, type BatchReporterStats, type BatchTransport } from '../core/batch-reporter.js';
import { diag } from '../core/diag.js';
import type { Reporter } from '../core/reporter.js';
import { KEEPALIVE_BUDGET, keepaliveBytes, sizeOf } from './transport.js';

/** Options of a {@link pageQueue}. */
export interface PageQueueOptions {
  /** Names the queue in diagnostics. */
  name: string;
  send: BatchTransport<never>['send'];
  encode(record: never): unknown;
  /** Batch delay, ms. */
  interval: number;
  /** Most items queued; the queue also holds at most `maxBytes`. */
  maxItems: number;
  maxBytes: number;
  /** Most items in one send (each send holds at most 60,000 bytes: one batch with its framing fits the keepalive budget). */
  maxBatch: number;
}

/** A page reporter: a {@link Reporter} with counters and the pagehide path. */
export interface PageQueue extends Reporter {
  /** Counters: sent, dropped, failed sends, queued. */
  readonly stats: BatchReporterStats;
  /**
   * The page is leaving: what fits in the keepalive budget left goes now (`final`, without
   * waiting for answers); the rest could only die with the page, so it is dropped and counted.
   */
  leave(): void;
}

const BATCH_BYTES = 60_000;
const SEND_TIMEOUT = 10_000;

/** A page reporter sending through `o.send`. */
export function pageQueue(o: PageQueueOptions): PageQueue {
  // [item, size] pairs, oldest first.
  let held: Array<[unknown, number]> = [];
  let bytes = 0;
  let sent = 0;
  let dropped = 0;
  let failed = 0;
  // Failures in a row (0: the collector answers), and when the next try may go.
  let failures = 0;
  let retryAt = 0;
  let dropping = false;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<unknown> | undefined;

  const drop = (n: number, why: string) => {
    dropped += n;
    if (n && !dropping) diag.warn(`${o.name}: ${why}; dropping`);
    dropping ||= n > 0;
  };

  // Up to `most` items (a batch), at most `max` bytes (at least one item).
  const take = (max: number, most = o.maxBatch) => {
    let n = 0;
    let b = 0;
    while (n < held.length && n < most && (!n || b + held[n]![1] <= max)) b += held[n++]![1];
    bytes -= b;
    return held.splice(0, n);
  };

  // Sends one batch; resolves (never rejects) when it is settled.
  const sendBatch = (timeoutMs: number, final: boolean, max: number) => {
    const batch = take(max);
    const n = batch.length;
    let t: ReturnType<typeof setTimeout>;
    // The executor turns a send that throws into a rejection; the timer settles one that hangs
    // (a retryable failure: the error handler below reads only message and retryable).
    return new Promise((resolve, reject) => {
      t = setTimeout(reject, timeoutMs + 100, { message: 'timed out' });
      resolve(o.send(batch.map((x) => x[0]) as never[], { timeoutMs, final }));
    }).then(
      () => {
        clearTimeout(t);
        sent += n;
        if (failures) diag.info(`${o.name}: collector reachable again`);
        failures = retryAt = 0;
        if (!held.length) dropping = false;
      },
      (err: { message?: unknown; retryable?: boolean } | undefined) => {
        clearTimeout(t);
        failed++;
        // A final send is not retried: the page is gone.
        const retry = !final && err?.retryable !== false;
        if (retry) {
          // Back at the front; what no longer fits (newer items) is dropped.
          held = batch.concat(held);
          for (const x of batch) bytes += x[1];
          while (held.length > o.maxItems || bytes > o.maxBytes) {
            bytes -= held.pop()![1];
            drop(1, 'queue full');
          }
        } else drop(n, 'not delivered');
        if (!failures++) diag.warn(`${o.name}: send failed (${err?.message ?? err})`);
        retryAt = Date.now() + retryDelay(1000, 30_000, failures);
      },
    );
  };

  // One batch in flight; after it, a full batch goes at once, a partial one waits for the
  // interval, and after a failure the backoff (schedule honours retryAt).
  const start = (timeoutMs: number) =>
    (inFlight = sendBatch(timeoutMs, false, BATCH_BYTES).then(() => {
      inFlight = undefined;
      schedule(!failures && held.length < o.maxBatch ? o.interval : 0);
    }));

  const schedule = (delay: number) => {
    if (closed || inFlight || !held.length) return;
    // A pending timer is never later than an interval from now (or the retry time, which
    // every timer waits for): only a request for now (a full batch) replaces it.
    if (timer !== undefined && delay) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!inFlight && held.length) void start(SEND_TIMEOUT);
    }, Math.max(delay, retryAt - Date.now()));
  };

  const flush = (timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    const before = failed;
    // Ignores the retry delay: a flush tries now, and stops at the first failure.
    const drain = async () => {
      while (Date.now() < deadline && failed === before && (inFlight || held.length)) await (inFlight ?? start(Math.min(SEND_TIMEOUT, Math.max(1, deadline - Date.now()))));
    };
    // Settles when the drain does or at the deadline; never rejects (drain does not). The
    // deadline's timer is left to fire: harmless on a page, and cheaper than clearing it.
    return Promise.race([drain(), new Promise<void>((resolve) => setTimeout(resolve, timeoutMs))]);
  };

  return {
    get stats() {
      return { sent, dropped, failedSends: failed, queued: held.length };
    },
    report(record) {
      let item: unknown;
      let size = NaN;
      try {
        item = o.encode(record as never);
        size = sizeOf(item as string);
      } catch {
        // Counted below.
      }
      if (closed || !(size >= 0)) drop(1, 'unencodable or shut down');
      else if (held.length >= o.maxItems || bytes + size > o.maxBytes) drop(1, 'queue full');
      else {
        held.push([item, size]);
        bytes += size;
        schedule(held.length >= o.maxBatch ? 0 : o.interval);
      }
    },
    flush,
    async shutdown(timeoutMs) {
      if (closed) return;
      await flush(timeoutMs);
      closed = true;
      clearTimeout(timer);
      drop(held.length, 'unsent at shutdown');
      held = [];
    },
    leave() {
      const before = bytes;
      const fits = take(KEEPALIVE_BUDGET - 1024 - keepaliveBytes, Infinity);
      drop(held.length, 'over keepalive budget');
      held = fits;
      // take() subtracted what fits: that is what is left held.
      bytes = before - bytes;
      while (held.length) void sendBatch(SEND_TIMEOUT, true, KEEPALIVE_BUDGET);
    },
  };
}
