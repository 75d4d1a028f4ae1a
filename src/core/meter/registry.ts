import { diag } from '../diag.js';
import { truncate } from '../limits.js';
import { Counter, type CounterHandle, type CounterMode } from './counter.js';
import { Gauge } from './gauge.js';
import { Histogram, normalizeSteps, type HistogramHandle } from './histogram.js';
import { METER_LIMITS, METER_NAME, type Meter, type MeterLabel, type MeterSample } from './model.js';

/** Labels of a meter, as given by users. */
export type MeterLabels = Record<string, string | number | boolean>;

/** Options of {@link MeterRegistry.counter}. */
export interface CounterOptions {
  labels?: MeterLabels;
  /** `increment` (default): report the running total; `rate`: report what was added since the last report. */
  mode?: CounterMode;
}

/** Options of {@link MeterRegistry.gauge} and {@link MeterRegistry.histogram}. */
export interface MeterOptions {
  labels?: MeterLabels;
}

/** Options of a {@link MeterRegistry}. */
export interface MeterRegistryOptions {
  /** Most meters; further ones are refused with a diagnostic. Default and maximum 500. */
  maxMeters?: number;
}

// What a refused meter gives back: usable, does nothing.
// Pure: bundles that use no meters drop these (they share a chunk with the tracer).
const NOOP_COUNTER: CounterHandle = /* @__PURE__ */ Object.freeze({ increment() {} });
const NOOP_HISTOGRAM: HistogramHandle = /* @__PURE__ */ Object.freeze({ addValue() {} });

/**
 * The meters of one process or page: creates them within the bounds of
 * {@link METER_LIMITS}, and reads them all at report time. Creating a meter that already
 * exists (same name and labels, same kind) returns the existing one. Never throws: misuse
 * gets one diagnostic and a meter that does nothing.
 */
export class MeterRegistry {
  private readonly meters = new Map<string, Meter>();
  private readonly max: number;
  /** Meters refused (bad name, labels or steps, over the bound, kind clash). */
  refused = 0;

  constructor(options: MeterRegistryOptions = {}) {
    const m = options.maxMeters;
    this.max = typeof m === 'number' && m >= 1 && m <= METER_LIMITS.maxMeters ? Math.floor(m) : METER_LIMITS.maxMeters;
  }

  /** Meters registered. */
  get size(): number {
    return this.meters.size;
  }

  /** A counter; `mode` defaults to `increment` (cumulative). */
  counter(name: string, options?: CounterOptions): CounterHandle {
    const mode = options?.mode ?? 'increment';
    if (mode !== 'increment' && mode !== 'rate') {
      this.refuse(`meter ${String(name)}: counter mode must be "increment" or "rate", not ${JSON.stringify(mode)}; meter not created`);
      return NOOP_COUNTER;
    }
    const got = this.add(name, options?.labels, (n, l) => new Counter(n, l, mode));
    if (got instanceof Counter && got.mode === mode) return got;
    if (got) this.refuse(`meter ${name}: already registered as another kind of meter (or another counter mode); this one does nothing`);
    return NOOP_COUNTER;
  }

  /** A gauge: `read` is called once per report; a throw or non-number skips that report with a diagnostic. */
  gauge(name: string, read: () => number, options?: MeterOptions): void {
    if (typeof read !== 'function') {
      this.refuse(`meter ${String(name)}: a gauge needs a function returning a number; meter not created`);
      return;
    }
    const got = this.add(name, options?.labels, (n, l) => new Gauge(n, l, read));
    if (got && !(got instanceof Gauge)) this.refuse(`meter ${name}: already registered as another kind of meter; this gauge is ignored`);
  }

  /** A histogram; `steps` are the buckets' lower bounds, values below the first are dropped. */
  histogram(name: string, steps: readonly number[], options?: MeterOptions): HistogramHandle {
    const sorted = normalizeSteps(String(name), steps, METER_LIMITS.maxSteps);
    if (!sorted) {
      this.refused++;
      return NOOP_HISTOGRAM;
    }
    const got = this.add(name, options?.labels, (n, l) => new Histogram(n, l, sorted));
    if (got instanceof Histogram) return got;
    if (got) this.refuse(`meter ${name}: already registered as another kind of meter; this histogram does nothing`);
    return NOOP_HISTOGRAM;
  }

  /** Reads every meter, in registration order; meters with no reading this period are left out. */
  collect(): MeterSample[] {
    const out: MeterSample[] = [];
    for (const m of this.meters.values()) {
      const s = m.collect();
      if (s) out.push(s);
    }
    return out;
  }

  /** Removes every meter (the agent's shutdown). */
  clear(): void {
    this.meters.clear();
  }

  /** The existing meter with this identity, a new one, or undefined when refused. */
  private add(name: unknown, labels: MeterLabels | undefined, make: (name: string, labels: MeterLabel[]) => Meter): Meter | undefined {
    if (typeof name !== 'string' || !METER_NAME.test(name) || name.length > METER_LIMITS.maxNameLength) {
      this.refuse(
        `meter name ${JSON.stringify(name)} refused: it must be an identifier (letters, digits, _) of at most ${METER_LIMITS.maxNameLength} characters, so that an OAP meter rule can read it`,
      );
      return undefined;
    }
    const l = this.labelsOf(name, labels);
    if (!l) return undefined;
    const key = name + '\0' + l.map((x) => x.name + '\0' + x.value).join('\0');
    const existing = this.meters.get(key);
    if (existing) return existing;
    if (this.meters.size >= this.max) {
      this.refuse(`meter ${name} refused: at most ${this.max} meters`, 'meter-max');
      return undefined;
    }
    const m = make(name, l);
    this.meters.set(key, m);
    return m;
  }

  private labelsOf(name: string, labels: MeterLabels | undefined): MeterLabel[] | undefined {
    if (labels === undefined || labels === null) return [];
    if (typeof labels !== 'object' || Array.isArray(labels)) {
      this.refuse(`meter ${name}: labels must be an object of strings, e.g. { route: "/a" }; meter not created`);
      return undefined;
    }
    const entries = Object.entries(labels);
    if (entries.length > METER_LIMITS.maxLabels) {
      this.refuse(`meter ${name}: at most ${METER_LIMITS.maxLabels} labels; meter not created`);
      return undefined;
    }
    const out: MeterLabel[] = [];
    for (const [k, v] of entries) {
      if (!METER_NAME.test(k) || k.length > METER_LIMITS.maxLabelNameLength) {
        this.refuse(`meter ${name}: label name ${JSON.stringify(k)} must be an identifier of at most ${METER_LIMITS.maxLabelNameLength} characters; meter not created`);
        return undefined;
      }
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        this.refuse(`meter ${name}: label ${k} must be a string, number or boolean; meter not created`);
        return undefined;
      }
      out.push({ name: k, value: truncate(String(v), METER_LIMITS.maxLabelValueLength) });
    }
    // One identity whatever order the labels were written in.
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private refuse(message: string, key = message): void {
    this.refused++;
    diag.once('warn', `meter-refused-${key}`, message);
  }
}
