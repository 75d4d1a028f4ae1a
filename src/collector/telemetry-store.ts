// The collector's logs and meters: kept within a byte budget (oldest first out), counted,
// and meters also as per-series points for the viewer's charts.

/** Who sent a meter stream and when: OAP's rule, from the stream's first element. */
export interface MeterStreamInfo {
  service: string;
  serviceInstance: string;
  /** ms since the epoch. */
  timestamp: number;
}

/** One meter series: a service, an instance, a name and its labels, with its latest points. */
export interface MeterSeries {
  service: string;
  serviceInstance: string;
  name: string;
  labels: string;
  kind: 'single' | 'histogram';
  /** `[time ms, value]` for single values; for histograms the value is the total count. */
  points: Array<[number, number]>;
  /** A histogram's latest buckets. */
  buckets?: Array<{ bucket: number; count: number }>;
}

/** Options of a {@link TelemetryStore}. */
export interface TelemetryStoreOptions {
  /** Approximate bytes of logs and meter records held (JSON length). Default 32 MiB. */
  maxBytes?: number;
  /** Points kept per meter series. Default 180 (an hour at OAP's 20 s period). */
  maxPoints?: number;
  /** Meter series kept. Default 2000. */
  maxSeries?: number;
}

type Item = { record: Record<string, unknown>; bytes: number };

// Approximate heap cost of a series (object, key, names) and of one point ([time, value]).
const SERIES_OVERHEAD = 300;
const POINT_BYTES = 48;

/**
 * Logs and meter records as received (decoded `LogData` / `MeterData`), newest last, within
 * one byte budget shared by both; beyond it the oldest go first and are counted.
 */
export class TelemetryStore {
  private readonly logItems: Item[] = [];
  private readonly meterItems: Item[] = [];
  /** Meter series by service, instance, name and labels. */
  readonly series = new Map<string, MeterSeries>();
  readonly maxBytes: number;
  private readonly maxPoints: number;
  private readonly maxSeries: number;
  /** Bytes held: JSON length of the records, plus the meter series' estimated size. */
  bytes = 0;
  /** The part of {@link bytes} the meter series take (at most half of {@link maxBytes}). */
  seriesBytes = 0;
  /** Records dropped for the byte budget, series refused over `maxSeries`. */
  readonly evicted = { logs: 0, meters: 0, series: 0 };

  constructor(options: TelemetryStoreOptions = {}) {
    this.maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
    this.maxPoints = options.maxPoints ?? 180;
    this.maxSeries = options.maxSeries ?? 2000;
  }

  /** The logs held, oldest first. */
  get logs(): Array<Record<string, unknown>> {
    return this.logItems.map((i) => i.record);
  }

  /** The meter records held, oldest first. */
  get meters(): Array<Record<string, unknown>> {
    return this.meterItems.map((i) => i.record);
  }

  addLog(record: Record<string, unknown>): void {
    this.push(this.logItems, record);
  }

  /** Meter records of one stream; `stream` (from its first element) names their service and instance. */
  addMeters(records: Array<Record<string, unknown>>, stream?: MeterStreamInfo): void {
    for (const r of records) {
      this.push(this.meterItems, r);
      const s = stream ?? infoOf(r);
      if (s) this.addPoint(r, s);
    }
  }

  private push(list: Item[], record: Record<string, unknown>): void {
    let bytes: number;
    try {
      bytes = JSON.stringify(record).length;
    } catch {
      bytes = 1024;
    }
    list.push({ record, bytes });
    this.bytes += bytes;
    while (this.bytes > this.maxBytes) {
      // The older of the two lists' heads goes first: neither kind starves the other for long.
      const from = this.logItems.length === 0 ? this.meterItems : this.meterItems.length === 0 ? this.logItems : this.logItems.length >= this.meterItems.length ? this.logItems : this.meterItems;
      const old = from.shift();
      if (!old) break;
      this.bytes -= old.bytes;
      if (from === this.logItems) this.evicted.logs++;
      else this.evicted.meters++;
    }
  }

  private addPoint(r: Record<string, unknown>, s: MeterStreamInfo): void {
    const m = (r.singleValue ?? r.histogram) as { name?: string; labels?: Array<{ name: string; value: string }>; value?: number; values?: Array<{ bucket?: number; count?: number }> } | undefined;
    if (!m?.name) return;
    const labels = (m.labels ?? []).map((l) => `${l.name}=${l.value}`).join(',');
    const key = `${s.service}\0${s.serviceInstance}\0${m.name}\0${labels}`;
    let series = this.series.get(key);
    if (!series) {
      // The series keep to half of the budget: past it, no new series, and old ones stop growing.
      const cost = SERIES_OVERHEAD + 2 * key.length;
      if (this.series.size >= this.maxSeries || this.seriesBytes + cost + POINT_BYTES > this.maxBytes / 2) {
        this.evicted.series++;
        return;
      }
      this.seriesBytes += cost;
      this.bytes += cost;
      series = { service: s.service, serviceInstance: s.serviceInstance, name: m.name, labels, kind: r.histogram ? 'histogram' : 'single', points: [] };
      this.series.set(key, series);
    }
    const time = s.timestamp || Date.now();
    if (r.histogram) {
      series.buckets = (m.values ?? []).map((b) => ({ bucket: Number(b.bucket ?? 0), count: Number(b.count ?? 0) }));
      series.points.push([time, series.buckets.reduce((n, b) => n + b.count, 0)]);
    } else series.points.push([time, Number(m.value ?? 0)]);
    if (series.points.length > this.maxPoints || (this.seriesBytes + POINT_BYTES > this.maxBytes / 2 && series.points.length > 1)) series.points.shift();
    else {
      this.seriesBytes += POINT_BYTES;
      this.bytes += POINT_BYTES;
    }
  }
}

function infoOf(r: Record<string, unknown>): MeterStreamInfo | undefined {
  if (typeof r.service !== 'string' || !r.service) return undefined;
  return { service: r.service, serviceInstance: String(r.serviceInstance ?? ''), timestamp: Number(r.timestamp ?? 0) };
}

/**
 * Tracks the metadata of one meter stream: OAP takes service, instance and timestamp from
 * its first element (the last non-empty ones win); later elements may leave them out.
 */
export function meterStreamTracker(): (record: Record<string, unknown>) => MeterStreamInfo | undefined {
  let info: MeterStreamInfo | undefined;
  return (r) => {
    const own = infoOf(r);
    if (own) info = { service: own.service, serviceInstance: own.serviceInstance || info?.serviceInstance || '', timestamp: own.timestamp || info?.timestamp || 0 };
    return info;
  };
}
