import type { BatchTransport, MeterRegistry } from '../../core/index.js';
import { diag } from '../../core/index.js';
import { encodeMeterStream } from '../../core/meter/encode.js';
import { ProtoWriter } from '../../core/encode/proto-writer.js';

/** Options of a {@link MeterReporter}. */
export interface MeterReporterOptions {
  service: string;
  serviceInstance: string;
  /** Report period, ms. */
  intervalMs: number;
  /** Per-send deadline, ms. */
  timeoutMs: number;
}

/** Counters of a {@link MeterReporter}. */
export interface MeterReporterStats {
  /** Streams OAP accepted. */
  reports: number;
  /** Meter readings in them. */
  sent: number;
  /** Streams that failed (their readings are not retried: counters are cumulative). */
  failed: number;
  /** Periods skipped because the previous stream was still in flight. */
  skipped: number;
}

/**
 * Reads the registry every period and sends the readings as one `MeterReportService/collect`
 * stream, completed at once: OAP processes a meter stream only when it ends. A failed
 * stream is not retried: increment counters and histograms are cumulative, so the next
 * period carries their totals (rate counters lose that period's delta). One stream in
 * flight at a time; the timer is unref'd.
 */
export class MeterReporter {
  readonly stats: MeterReporterStats = { reports: 0, sent: 0, failed: 0, skipped: 0 };
  private readonly writer = new ProtoWriter(4096);
  private timer: ReturnType<typeof setInterval> | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly registry: MeterRegistry,
    private readonly transport: BatchTransport<Uint8Array>,
    private readonly o: MeterReporterOptions,
  ) {}

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => {
      if (this.inFlight) this.stats.skipped++;
      else void this.report(this.o.timeoutMs);
    }, this.o.intervalMs);
    this.timer.unref();
  }

  /** Sends the current readings now (after any stream in flight), waiting at most `timeoutMs`. Never rejects. */
  async flush(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    if (this.inFlight) await this.inFlight;
    const left = deadline - Date.now();
    if (left > 0) await this.report(left);
  }

  /** Stops the timer and sends a last report. Never rejects. */
  async shutdown(timeoutMs = 5000): Promise<void> {
    if (this.stopped) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush(timeoutMs);
    this.stopped = true;
  }

  private report(timeoutMs: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    let messages: Uint8Array[];
    try {
      const samples = this.registry.collect();
      if (samples.length === 0) return Promise.resolve();
      messages = encodeMeterStream(this.writer, samples, { service: this.o.service, serviceInstance: this.o.serviceInstance, timestamp: Date.now() });
    } catch (err) {
      diag.once('error', 'meter-encode', 'meters could not be read or encoded; this period is lost', err);
      return Promise.resolve();
    }
    const p = (async () => {
      try {
        await this.transport.send(messages, { timeoutMs, final: false });
        this.stats.reports++;
        this.stats.sent += messages.length;
      } catch (err) {
        this.stats.failed++;
        diag.once('warn', 'meter-send', `meters could not be sent (${(err as Error)?.message ?? String(err)}); later periods carry the totals`);
      } finally {
        this.inFlight = undefined;
      }
    })();
    this.inFlight = p;
    return p;
  }
}
