import type { CounterHandle, CounterOptions, HistogramHandle, MeterOptions, MeterRegistry } from '../../core/index.js';

/** `agent.meter`: creates meters reported to OAP's MeterReportService every `meterIntervalMs`. */
export interface NodeMeter {
  /** A counter; `mode` `increment` (default) reports the total, `rate` the amount since the last report. */
  counter(name: string, options?: CounterOptions): CounterHandle;
  /** A gauge: `read` is called at each report; a throw or non-number skips that report with a diagnostic. */
  gauge(name: string, read: () => number, options?: MeterOptions): void;
  /** A histogram: `steps` are bucket lower bounds; values below the first step are dropped. */
  histogram(name: string, steps: readonly number[], options?: MeterOptions): HistogramHandle;
}

/** The API over a registry; `onUse` runs at each creation (to say once when meters go nowhere). */
export function nodeMeter(registry: MeterRegistry, onUse: () => void = () => {}): NodeMeter {
  return {
    counter: (name, options) => (onUse(), registry.counter(name, options)),
    gauge: (name, read, options) => (onUse(), registry.gauge(name, read, options)),
    histogram: (name, steps, options) => (onUse(), registry.histogram(name, steps, options)),
  };
}
