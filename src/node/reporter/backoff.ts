import { retryDelay } from '../../core/batch-reporter.js';

/**
 * Lets best-effort calls through while the collector answers, and holds them back while it
 * does not: after a failure nothing goes for a backoff window (doubling per failed probe,
 * with jitter, up to a cap), then a single probe call; its success opens the gate again.
 * Calls held back are the caller's to drop and count. Without it, a dead collector gets one
 * connection attempt per report (hundreds a second from a busy ingest handler).
 */
export class Backoff {
  private failures = 0;
  private retryAt = 0;
  private probing = false;

  constructor(
    private readonly baseMs = 1000,
    private readonly maxMs = 30_000,
  ) {}

  /** True while the collector is considered failing. */
  get failing(): boolean {
    return this.failures > 0;
  }

  /**
   * True when a call may start now: always while healthy; while failing, once the window
   * has passed and no probe is in flight (that call is the probe).
   */
  allow(now = Date.now()): boolean {
    if (this.failures === 0) return true;
    if (this.probing || now < this.retryAt) return false;
    this.probing = true;
    return true;
  }

  /** A call succeeded: the gate opens. */
  succeeded(): void {
    this.failures = 0;
    this.retryAt = 0;
    this.probing = false;
  }

  /**
   * A call failed. Calls that were already in flight when the window opened fail together
   * and count once, so one outage does not jump straight to the longest delay.
   */
  failed(now = Date.now()): void {
    if (!this.probing && this.failures > 0 && now < this.retryAt) return;
    this.probing = false;
    this.failures++;
    this.retryAt = now + retryDelay(this.baseMs, this.maxMs, this.failures);
  }
}
