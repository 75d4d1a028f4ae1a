import { diag } from '../diag.js';
import type { Meter, MeterLabel, MeterSample } from './model.js';

/**
 * How a counter reports: `increment` sends the running total (what OAP's `increase()` and
 * `rate()` rules expect); `rate` sends what was added since the previous report.
 */
export type CounterMode = 'increment' | 'rate';

/** A counter as users hold it. */
export interface CounterHandle {
  /** Adds `n` (default 1). Negative, NaN or infinite amounts are refused with a diagnostic. */
  increment(n?: number): void;
}

/** A monotonically increasing count. @internal Created by {@link MeterRegistry.counter}. */
export class Counter implements Meter, CounterHandle {
  private total = 0;
  private reported = 0;

  constructor(
    readonly name: string,
    readonly labels: readonly MeterLabel[],
    readonly mode: CounterMode,
  ) {}

  increment(n = 1): void {
    if (typeof n !== 'number' || !(n >= 0) || n === Infinity) {
      diag.once('warn', `meter-counter-${this.name}`, `meter ${this.name}: increment(${String(n)}) refused; a counter takes finite amounts >= 0`);
      return;
    }
    this.total += n;
  }

  collect(): MeterSample {
    const total = this.total;
    if (this.mode === 'increment') return { kind: 'single', name: this.name, labels: this.labels, value: total };
    const value = total - this.reported;
    this.reported = total;
    return { kind: 'single', name: this.name, labels: this.labels, value };
  }
}
