import { diag } from '../diag.js';
import type { Meter, MeterLabel, MeterSample } from './model.js';

/** A value read from a callback at report time. @internal Created by {@link MeterRegistry.gauge}. */
export class Gauge implements Meter {
  constructor(
    readonly name: string,
    readonly labels: readonly MeterLabel[],
    private readonly read: () => number,
  ) {}

  /** Calls the callback; a throw or a non-number skips this period with one diagnostic, never an exception. */
  collect(): MeterSample | undefined {
    let value: unknown;
    try {
      value = this.read();
    } catch (err) {
      diag.once('warn', `meter-gauge-throw-${this.name}`, `meter ${this.name}: the gauge callback threw; no value this period`, err);
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      diag.once('warn', `meter-gauge-nan-${this.name}`, `meter ${this.name}: the gauge callback returned ${String(value)}, not a finite number; no value this period`);
      return undefined;
    }
    return { kind: 'single', name: this.name, labels: this.labels, value };
  }
}
