import { diag } from './diag.js';
import { numberOption as pos } from './limits.js';
import { ReportQueue } from './report-queue.js';
import type { SegmentObject } from './segment.js';

/** How a batch is sent. */
export interface SendOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** The page or process is going away: use a transport that survives it (e.g. `keepalive`). */
  final: boolean;
}

/** Moves batches of encoded segments to a collector. Implemented per protocol and platform. */
export interface BatchTransport<T> {
  /** Sends one batch; resolves when the collector accepted it, rejects (ideally with a {@link TransportError}) otherwise. */
  send(batch: T[], options: SendOptions): Promise<void>;
  /** Releases connections. */
  close?(): Promise<void> | void;
}

/** A failed send. `retryable` batches go back to the queue; others are dropped and counted. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    // ES2022 `cause`; older engines ignore the second argument.
    super(message, options);
    this.name = 'TransportError';
  }
}

/**
 * What a {@link BatchReporter} queues into: a {@link ReportQueue} by default, or a compact
 * one for byte items (`CompactQueue`). Bounded; what does not fit is dropped and counted.
 */
export interface BatchQueue<T> {
  /** Items held. */
  readonly length: number;
  /** Bytes held. */
  readonly bytes: number;
  /** Items dropped because the queue was full, since creation. */
  readonly dropped: number;
  /** Most items held. */
  readonly maxItems: number;
  /** Counts `n` items as dropped because the queue was full. */
  drop(n: number): void;
  /** Adds an item at the back; false (and counted) when it does not fit. */
  push(item: T): boolean;
  /** Puts a batch that failed to send back at the front, as far as it fits. */
  unshift(batch: readonly T[]): void;
  /** Removes up to `maxItems` items of at most `maxBytes` in all (at least one). */
  take(maxItems: number, maxBytes: number): T[];
  /** Drops everything held (not counted as drops). */
  clear(): void;
}

/** Options of a {@link BatchReporter}. `In` is what `report` takes: segments by default; the log reporter queues log records. */
export interface BatchReporterOptions<T, In = SegmentObject> {
  /** Sends the batches. Its failures (rejections, throws) are retried or counted, never passed on. */
  transport: BatchTransport<T>;
  /** Turns a segment into what the transport sends (protobuf bytes, a JSON string). */
  encode(segment: In): T;
  /** The size of an encoded item, in bytes, for the byte bounds of the default queue. Needed unless `queue` is given. */
  sizeOf?(item: T): number;
  /**
   * The queue to use, with its own bounds (`maxQueueSize`, `maxQueueBytes` and `sizeOf` are
   * then unused). Default: a {@link ReportQueue} with those bounds.
   */
  queue?: BatchQueue<T>;
  /** Most segments queued. Default 10,000. */
  maxQueueSize?: number;
  /** Most bytes queued. Default 16 MiB. */
  maxQueueBytes?: number;
  /** Most segments in one send. Default 200. */
  maxBatchSize?: number;
  /** Most bytes in one send. Default 4 MiB. */
  maxBatchBytes?: number;
  /** Delay between a segment's arrival and its send, so sends batch. Default 1000 ms. */
  flushIntervalMs?: number;
  /** Per-send timeout. Default 10,000 ms. */
  sendTimeoutMs?: number;
  /** First retry delay after a failure; doubles up to `maxRetryDelayMs`, with jitter. Default 1000 ms. */
  retryDelayMs?: number;
  /** Default 30,000 ms. */
  maxRetryDelayMs?: number;
  /** Batches in flight at once while the collector answers (one while it fails). Default 1. */
  concurrency?: number;
  /** Name used in diagnostics. */
  name?: string;
}

/** Counters of a {@link BatchReporter}. */
export interface BatchReporterStats {
  /** Segments the collector accepted. */
  sent: number;
  /** Segments dropped: queue full, unencodable, rejected by the collector, or reported after shutdown. */
  dropped: number;
  /** Sends that failed. */
  failedSends: number;
  /** Segments waiting. */
  queued: number;
}

type Timer = { unref?: () => void };

/**
 * The reporter every platform shares: a bounded queue, batches on a timer, one send in
 * flight, retries with exponential backoff and jitter, and `flush`/`shutdown` with
 * deadlines that never reject. Timers are unref'd so they never keep a process alive.
 */
// Not `implements Reporter`: with `In` other than SegmentObject it is not one; with the default it is, structurally.
export class BatchReporter<T, In = SegmentObject> {
  /** The segments waiting to be sent, already encoded. */
  readonly queue: BatchQueue<T>;
  private readonly o: Required<Omit<BatchReporterOptions<T, In>, 'transport' | 'encode' | 'sizeOf' | 'queue' | 'maxQueueSize' | 'maxQueueBytes'>>;
  private readonly sending = new Set<Promise<boolean>>();
  private timer: unknown;
  private timerDue = 0;
  private failures = 0;
  private retryAt = 0;
  private closed = false;
  private sentCount = 0;
  private otherDrops = 0;
  private sendFailures = 0;
  private failing = false;

  constructor(private readonly opts: BatchReporterOptions<T, In>) {
    const name = opts.name ?? 'reporter';
    // Without sizeOf (a misconfiguration), ReportQueue drops every item with one diagnostic.
    this.queue = opts.queue ?? new ReportQueue(opts.sizeOf ?? (() => NaN), { maxItems: opts.maxQueueSize, maxBytes: opts.maxQueueBytes, name: `${name} queue` });
    this.o = {
      maxBatchSize: pos(opts.maxBatchSize, 200),
      maxBatchBytes: pos(opts.maxBatchBytes, 4 * 1024 * 1024),
      flushIntervalMs: pos(opts.flushIntervalMs, 1000, 0),
      sendTimeoutMs: pos(opts.sendTimeoutMs, 10_000),
      retryDelayMs: pos(opts.retryDelayMs, 1000),
      maxRetryDelayMs: pos(opts.maxRetryDelayMs, 30_000),
      concurrency: pos(opts.concurrency, 1),
      name,
    };
  }

  /** Counters: sent, dropped, failed sends, queued. */
  get stats(): BatchReporterStats {
    return { sent: this.sentCount, dropped: this.queue.dropped + this.otherDrops, failedSends: this.sendFailures, queued: this.queue.length };
  }

  /** Encodes and queues a segment. Never throws: what cannot be encoded or measured is dropped and counted. */
  report(segment: In): void {
    if (this.closed) {
      this.otherDrops++;
      return;
    }
    // A queue at its count bound drops before encoding: while the collector is down, a
    // request costs no encoding (nor the garbage of it) for a segment that is not kept.
    if (this.queue.length >= this.queue.maxItems) {
      this.queue.drop(1);
      return;
    }
    let item: T;
    try {
      item = this.opts.encode(segment);
    } catch (err) {
      this.otherDrops++;
      diag.once('error', `${this.o.name}-encode`, `${this.o.name}: a segment could not be encoded; dropped`, err);
      return;
    }
    // A full batch goes at once; otherwise wait for the interval so sends batch up.
    if (this.queue.push(item)) this.schedule(this.queue.length >= this.o.maxBatchSize ? 0 : this.o.flushIntervalMs);
  }

  /** Sends everything queued, waiting at most `timeoutMs` (default 5000). Never rejects. */
  flush(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const failed = this.sendFailures;
    const drain = async (): Promise<void> => {
      // Ignores the retry delay: a flush tries now, and stops at the first failure.
      while (Date.now() < deadline && this.sendFailures === failed) {
        while (this.queue.length > 0 && this.sending.size < this.limit()) this.start(Math.max(1, deadline - Date.now()));
        if (this.sending.size === 0) return;
        await Promise.race(this.sending);
      }
    };
    return withDeadline(drain(), timeoutMs);
  }

  /** Flushes within `timeoutMs` (default 5000), stops timers, closes the transport. Never rejects. */
  async shutdown(timeoutMs = 5000): Promise<void> {
    if (this.closed) return;
    await this.flush(timeoutMs);
    this.closed = true;
    this.cancelTimer();
    const left = this.queue.length;
    if (left > 0) {
      this.otherDrops += left;
      diag.warn(`${this.o.name}: ${left} segments not sent before shutdown`);
      this.queue.clear();
    }
    try {
      await withDeadline(Promise.resolve(this.opts.transport.close?.()), 1000);
    } catch {
      // close errors are irrelevant once we are done
    }
  }

  /**
   * For page unload: hands every queued segment to the transport with `final: true`,
   * batches of at most `maxBytes` each, without waiting for answers.
   */
  drainFinal(maxBytes: number): void {
    let guard = 0;
    while (this.queue.length > 0 && guard++ < 1000) {
      const batch = this.queue.take(this.o.maxBatchSize, maxBytes);
      const lost = () => {
        this.otherDrops += batch.length;
        this.sendFailures++;
      };
      // Runs in a page's unload handler: a transport that throws, or returns no promise,
      // must neither break it nor stop the other batches.
      try {
        Promise.resolve(this.opts.transport.send(batch, { timeoutMs: this.o.sendTimeoutMs, final: true })).then(() => {
          this.sentCount += batch.length;
        }, lost);
      } catch {
        lost();
      }
    }
  }

  // One batch in flight while failing, and until the first success: calls never pile up
  // against a dead collector, not even at startup.
  private limit(): number {
    return this.failing || this.sentCount === 0 ? 1 : this.o.concurrency;
  }

  private schedule(delay: number): void {
    if (this.closed || this.sending.size >= this.limit()) return;
    const due = Math.max(Date.now() + delay, this.retryAt);
    // An earlier (or equal) timer already covers this request.
    if (this.timer !== undefined) {
      if (this.timerDue <= due) return;
      this.cancelTimer();
    }
    this.timerDue = due;
    const t = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, Math.max(0, due - Date.now()));
    (t as Timer).unref?.();
    this.timer = t;
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private pump(): void {
    while (!this.closed && this.queue.length > 0 && this.sending.size < this.limit() && Date.now() >= this.retryAt) this.start(this.o.sendTimeoutMs);
    if (!this.closed && this.queue.length > 0) this.schedule(this.o.flushIntervalMs);
  }

  private start(timeoutMs: number): void {
    const p = this.sendOne(false, timeoutMs);
    this.sending.add(p);
    void p.then((ok) => {
      this.sending.delete(p);
      // After a success a full batch goes at once, a partial one waits for the interval:
      // sending whatever arrived during the round trip would turn a busy service's
      // segments into hundreds of tiny calls a second. After a failure the next attempt
      // waits for the backoff (schedule honours retryAt).
      this.schedule(ok && this.queue.length < this.o.maxBatchSize ? this.o.flushIntervalMs : 0);
    });
  }

  /** Sends one batch; false when it failed (the caller stops until the retry delay). */
  private sendOne(final: boolean, timeoutMs: number): Promise<boolean> {
    const batch = this.queue.take(this.o.maxBatchSize, this.o.maxBatchBytes);
    if (batch.length === 0) return Promise.resolve(true);
    let ok = false;
    const p = (async () => {
      try {
        await race(this.opts.transport.send(batch, { timeoutMs: Math.min(timeoutMs, this.o.sendTimeoutMs), final }), timeoutMs + 100, () => new TransportError(`timed out after ${timeoutMs} ms`, true));
        ok = true;
        this.sentCount += batch.length;
        if (this.failing) diag.info(`${this.o.name}: the collector is reachable again`);
        this.failing = false;
        this.failures = 0;
        this.retryAt = 0;
      } catch (err) {
        this.sendFailures++;
        const retryable = !(err instanceof TransportError) || err.retryable;
        if (retryable) this.queue.unshift(batch);
        else this.otherDrops += batch.length;
        if (!this.failing) diag.warn(`${this.o.name}: sending failed (${describe(err)}); ${retryable ? 'will retry' : 'batch dropped'}`);
        this.failing = true;
        this.failures++;
        this.retryAt = Date.now() + retryDelay(this.o.retryDelayMs, this.o.maxRetryDelayMs, this.failures);
      }
    })();
    return p.then(() => ok);
  }
}

/**
 * @internal The wait after the `failures`-th failure in a row: `firstMs` doubled per
 * failure up to `maxMs`, with full jitter on the upper half, so agents restarted
 * together do not retry together.
 */
export function retryDelay(firstMs: number, maxMs: number, failures: number): number {
  const base = Math.min(maxMs, firstMs * 2 ** Math.min(failures - 1, 16));
  return base / 2 + Math.random() * (base / 2);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Settles like `p`, or after `ms` with `onTimeout()` (a value to resolve with, or an
 * error to reject with). The timer is cleared when `p` settles; it is unref'd unless
 * `keepAlive`.
 */
function race<T>(p: Promise<T>, ms: number, onTimeout: () => T | Error, keepAlive = false): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      const v = onTimeout();
      if (v instanceof Error) reject(v);
      else resolve(v);
    }, ms);
    if (!keepAlive) (t as Timer).unref?.();
    // Promise.resolve: a transport returning no promise counts as done, not as a TypeError.
    // The timer is cleared in a microtask, before it could fire.
    Promise.resolve(p).then(resolve, reject).finally(() => clearTimeout(t));
  });
}

/**
 * Resolves when `p` settles or after `ms`, whichever is first; never rejects. The deadline
 * timer is ref'd: someone awaits this (`await reporter.flush()` at the end of a script), and
 * with only unref'd timers left Node would exit mid-await (exit code 13) instead of
 * returning at the deadline. Background timers stay unref'd.
 */
function withDeadline(p: Promise<unknown>, ms: number): Promise<void> {
  return race(p.then(noop, noop), ms, noop, true);
}

function noop(): void {}
