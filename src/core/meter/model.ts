// What a meter hands the reporter at report time, and the bounds every meter obeys.

/** A meter label: OAP turns each into a sample label of the same name. */
export interface MeterLabel {
  name: string;
  value: string;
}

/** One histogram bucket: `bucket` is its lower bound, `count` the values at or above it and below the next bound. */
export interface MeterBucket {
  bucket: number;
  count: number;
}

/** A meter's reading at report time: a single value (counter, gauge) or a histogram. */
export type MeterSample =
  | { readonly kind: 'single'; readonly name: string; readonly labels: readonly MeterLabel[]; readonly value: number }
  | { readonly kind: 'histogram'; readonly name: string; readonly labels: readonly MeterLabel[]; readonly buckets: readonly MeterBucket[] };

/** Anything the registry can read once per report period. */
export interface Meter {
  readonly name: string;
  readonly labels: readonly MeterLabel[];
  /** The reading for this period, or undefined when there is none (a gauge whose callback failed). */
  collect(): MeterSample | undefined;
}

/** Bounds on meters; beyond them a meter is refused with a diagnostic. */
export const METER_LIMITS = {
  /** Meters per registry (the Java agent's `meter.max_meter_size`). */
  maxMeters: 500,
  /** Characters in a meter name. */
  maxNameLength: 128,
  /** Labels per meter. */
  maxLabels: 16,
  /** Characters in a label name. */
  maxLabelNameLength: 64,
  /** Characters in a label value; longer values are cut. */
  maxLabelValueLength: 256,
  /** Steps of one histogram. */
  maxSteps: 100,
} as const;

/**
 * Names OAP's meter rules (MAL) can refer to: an identifier. A name with dots or dashes
 * would reach OAP but no rule could ever read it.
 */
export const METER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
