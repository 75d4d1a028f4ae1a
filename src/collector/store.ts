import type { SegmentObject } from '../core/index.js';
import { segmentProblems, summarise, summaryBytes, traceDetail, traceProblems } from './analysis.js';
import type { TraceDetail, TraceProblem, TraceSummary } from './analysis.js';
import { BrowserStats, type BrowserPerfKind } from './browser-stats.js';
import { KeptList, recordBytes } from './kept-list.js';
import { TelemetryStore, type MeterStreamInfo } from './telemetry-store.js';

/** One trace as the collector holds it. */
export interface StoredTrace {
  traceId: string;
  segments: SegmentObject[];
  /** Problems per segment id, from {@link segmentProblems} (bounded). */
  segmentProblems: Map<string, string[]>;
  receivedAt: number;
  /** Approximate bytes held for this trace: its segments, their problems and its cached summary. */
  bytes: number;
  /** @internal The summary as last computed, until a segment arrives or it grows old. */
  cached?: { summary: TraceSummary; at: number; bytes: number };
}

/** A service instance seen through ManagementService or segments. */
export interface InstanceInfo {
  service: string;
  serviceInstance: string;
  /** Values by property key. A null-prototype object: keys come from input (`__proto__` is a key like any other). */
  properties: Record<string, string[]>;
  lastSeen: number;
}

/** How many browser errors, log and meter records the store keeps (newest). */
export const KEPT_ITEMS = 500;

/** Most instances kept; the least recently seen are evicted. */
export const MAX_INSTANCES = 10_000;

/** How long a computed summary is reused (it depends on the clock only through "a day in the future"). */
const SUMMARY_TTL_MS = 60_000;

/**
 * The share of `maxBytes` that each side list (logs, meters, browser errors) and the instances
 * may take, so that a flood of one kind cannot push every trace out.
 */
const SIDE_SHARE = 1 / 8;

/** Options of {@link TraceStore}. */
export interface TraceStoreOptions {
  /** Most traces kept; the oldest are evicted. Default 2000. */
  maxTraces?: number;
  /** Most segments kept per trace. Default 1000. */
  maxSegmentsPerTrace?: number;
  /**
   * Approximate bytes of everything kept: traces ({@link segmentBytes}), their problems and
   * summaries, instances, logs, meters, browser errors. The oldest traces are evicted beyond it.
   * Default 256 MiB.
   */
  maxBytes?: number;
}

/** Default of {@link TraceStoreOptions.maxBytes}: 256 MiB. */
export const DEFAULT_MAX_STORE_BYTES = 256 * 1024 * 1024;

// Rough per-object costs of the decoded form in a JS heap (object header, fields, array slot).
const SEGMENT_OVERHEAD = 200;
const SPAN_OVERHEAD = 240;
const PAIR_OVERHEAD = 80;
const REF_OVERHEAD = 160;
const STRING_OVERHEAD = 40;
const INSTANCE_OVERHEAD = 300;

/**
 * Approximate memory a stored segment takes: the lengths of its strings (2 bytes per UTF-16
 * unit) plus a fixed overhead per segment, span, tag, log field and reference. Cheap (one
 * pass, no serialisation) and monotone in the data, which is what a budget needs.
 */
export function segmentBytes(seg: SegmentObject): number {
  const str = (s: string | undefined) => 2 * (s?.length ?? 0);
  let n = SEGMENT_OVERHEAD + str(seg.traceId) + str(seg.traceSegmentId) + str(seg.service) + str(seg.serviceInstance);
  for (const span of seg.spans) {
    n += SPAN_OVERHEAD + str(span.operationName) + str(span.peer);
    for (const t of span.tags) n += PAIR_OVERHEAD + str(t.key) + str(t.value);
    for (const l of span.logs) for (const d of l.data) n += PAIR_OVERHEAD + str(d.key) + str(d.value);
    for (const r of span.refs)
      n += REF_OVERHEAD + str(r.traceId) + str(r.parentTraceSegmentId) + str(r.parentService) + str(r.parentServiceInstance) + str(r.parentEndpoint) + str(r.networkAddressUsedAtPeer);
  }
  return n;
}

/** Approximate bytes of a list of strings (problem messages). */
function stringsBytes(list: readonly string[]): number {
  let n = 0;
  for (const x of list) n += STRING_OVERHEAD + 2 * x.length;
  return n;
}

function instanceBytes(inst: InstanceInfo): number {
  let n = INSTANCE_OVERHEAD + 2 * (inst.service.length + inst.serviceInstance.length);
  for (const k in inst.properties) n += PAIR_OVERHEAD + 2 * k.length + stringsBytes(inst.properties[k]!);
  return n;
}

/**
 * In-memory, bounded storage of what the collector receives. Segments are grouped by trace id;
 * a segment id seen twice replaces the first (as OAP's storage does). Everything it keeps or
 * derives (segments, their problems, cached summaries, instances, logs, meters, browser errors)
 * is counted in {@link bytes} and held within {@link maxBytes}: the oldest traces are evicted
 * first; logs, meters, browser errors and instances each keep to an eighth of the budget.
 * Analysis lives in `analysis.ts`.
 */
export class TraceStore {
  readonly traces = new Map<string, StoredTrace>();
  /** By `service + "\u0000" + serviceInstance`, least recently seen first. */
  readonly instances = new Map<string, InstanceInfo>();
  readonly counts = { segments: 0, evictedTraces: 0, droppedSegments: 0, logs: 0, meters: 0, browserPerf: 0, browserErrors: 0, rejected: 0, droppedRecords: 0, evictedInstances: 0 };
  /** Approximate bytes held by everything the store keeps; at most `maxBytes`. */
  bytes = 0;
  private readonly errorList: KeptList;
  /** Browser pages (views, timings, vitals) and error groups (browser-stats.ts), within an eighth of {@link maxBytes}; counted in {@link bytes}. */
  readonly browser: BrowserStats;
  /** Logs and meters (telemetry-store.ts), within a quarter of {@link maxBytes}; counted in {@link bytes}. */
  readonly telemetry: TelemetryStore;
  private readonly instanceSizes = new Map<string, number>();
  private instanceBytesTotal = 0;
  private readonly maxTraces: number;
  private readonly maxSegments: number;
  /** The byte budget ({@link TraceStoreOptions.maxBytes}). */
  readonly maxBytes: number;
  private listeners = new Set<() => void>();

  constructor(options: TraceStoreOptions = {}) {
    // At least one, so that the trace being added is never the one evicted.
    this.maxTraces = Math.max(1, options.maxTraces ?? 2000);
    this.maxSegments = options.maxSegmentsPerTrace ?? 1000;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_STORE_BYTES;
    const share = Math.floor(this.maxBytes * SIDE_SHARE);
    this.errorList = new KeptList(KEPT_ITEMS, share);
    this.browser = new BrowserStats(share);
    this.telemetry = new TelemetryStore({ maxBytes: share * 2 });
  }

  /** The latest browser error logs (at most {@link KEPT_ITEMS}, and an eighth of `maxBytes`). */
  get browserErrors(): ReadonlyArray<Record<string, unknown>> {
    return this.errorList.items;
  }

  /** Calls `fn` after every change; returns the unsubscribe function. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }

  addSegments(segments: SegmentObject[]): void {
    for (const seg of segments) this.addSegment(seg);
    this.changed();
  }

  private addSegment(seg: SegmentObject): void {
    this.counts.segments++;
    const problems = segmentProblems(seg);
    const size = segmentBytes(seg) + stringsBytes(problems);
    // A segment bigger than the whole budget could only be kept by emptying the store.
    if (size > this.maxBytes) {
      this.counts.droppedSegments++;
      return;
    }
    let trace = this.traces.get(seg.traceId);
    const at = trace ? trace.segments.findIndex((s) => s.traceSegmentId === seg.traceSegmentId) : -1;
    if (trace && at < 0 && trace.segments.length >= this.maxSegments) {
      this.counts.droppedSegments++;
      return;
    }
    if (trace) this.forgetSummary(trace);
    const old = trace && at >= 0 ? trace.segments[at]! : undefined;
    const replaced = old ? segmentBytes(old) + stringsBytes(trace!.segmentProblems.get(old.traceSegmentId) ?? []) : 0;
    // Room by bytes: evict the oldest traces other than this one.
    this.fit(trace, size - replaced);
    if (this.bytes - replaced + size > this.maxBytes) {
      // Only this trace is left and it is full: keep what it has.
      this.counts.droppedSegments++;
      return;
    }
    if (!trace) {
      trace = { traceId: seg.traceId, segments: [], segmentProblems: new Map(), receivedAt: Date.now(), bytes: 0 };
      this.traces.set(seg.traceId, trace);
      while (this.traces.size > this.maxTraces) {
        const [oldest, first] = this.traces.entries().next().value as [string, StoredTrace];
        this.evict(oldest, first);
      }
    }
    if (at >= 0) trace.segments[at] = seg;
    else trace.segments.push(seg);
    trace.bytes += size - replaced;
    this.bytes += size - replaced;
    trace.segmentProblems.set(seg.traceSegmentId, problems);
    this.touchInstance(seg.service, seg.serviceInstance);
  }

  /** Evicts the oldest traces other than `keep` until `extra` more bytes fit. */
  private fit(keep: StoredTrace | undefined, extra = 0): void {
    for (const [id, old] of this.traces) {
      if (this.bytes + extra <= this.maxBytes) break;
      if (old === keep) continue;
      this.evict(id, old);
    }
  }

  private evict(id: string, trace: StoredTrace): void {
    this.traces.delete(id);
    this.bytes -= trace.bytes;
    this.counts.evictedTraces++;
  }

  private forgetSummary(trace: StoredTrace): void {
    if (!trace.cached) return;
    trace.bytes -= trace.cached.bytes;
    this.bytes -= trace.cached.bytes;
    trace.cached = undefined;
  }

  private keep(list: KeptList, record: Record<string, unknown>): void {
    const delta = list.push(record, recordBytes(record));
    if (delta === undefined) {
      this.counts.droppedRecords++;
      return;
    }
    this.bytes += delta;
    this.fit(undefined);
  }

  /** Records browser error logs (`BrowserErrorLog`, from gRPC or `/browser/errorLog(s)`): the latest as received, and by group. */
  addBrowserErrors(items: unknown[]): void {
    this.counts.browserErrors += items.length;
    for (const e of items) this.keep(this.errorList, (e && typeof e === 'object' ? e : { value: e }) as Record<string, unknown>);
    this.keepBrowser(() => this.browser.addErrors(items));
    this.changed();
  }

  /** Counts browser perf reports without keeping them (see {@link addBrowserPerfData}). */
  addBrowserPerf(count: number): void {
    this.counts.browserPerf += count;
  }

  /**
   * Records browser perf reports of one kind (BrowserPerfService perf methods or
   * `/browser/perfData*`): counted, and aggregated per service and page (browser-stats.ts).
   */
  addBrowserPerfData(kind: BrowserPerfKind, items: readonly unknown[]): void {
    this.counts.browserPerf += items.length;
    this.keepBrowser(() => this.browser.addPerf(kind, items));
    this.changed();
  }

  private keepBrowser(add: () => void): void {
    const before = this.browser.bytes;
    add();
    this.bytes += this.browser.bytes - before;
    this.fit(undefined);
  }

  /** Records one `LogData` record (LogReportService). */
  addLog(record: Record<string, unknown>): void {
    this.counts.logs++;
    this.keepTelemetry(() => this.telemetry.addLog(record));
  }

  /** The `LogData` records held (LogReportService, `POST /v3/logs`), oldest first. */
  get logs(): ReadonlyArray<Record<string, unknown>> {
    return this.telemetry.logs;
  }

  /** The `MeterData` records held, oldest first. */
  get meters(): ReadonlyArray<Record<string, unknown>> {
    return this.telemetry.meters;
  }

  /** Records `MeterData` records (MeterReportService `collect` and `collectBatch`). */
  addMeters(records: Array<Record<string, unknown>>, stream?: MeterStreamInfo): void {
    this.counts.meters += records.length;
    this.keepTelemetry(() => this.telemetry.addMeters(records, stream));
  }

  // Logs and meters keep to their own share; what they hold changes the store's total.
  private keepTelemetry(add: () => void): void {
    const before = this.telemetry.bytes;
    add();
    this.bytes += this.telemetry.bytes - before;
    this.fit(undefined);
  }

  /**
   * Records ManagementService data: `properties`, when given, replace the instance's earlier
   * ones (as OAP keeps the latest report). Keys are kept as given, `__proto__` included.
   */
  addInstance(service: string, serviceInstance: string, properties?: ReadonlyArray<{ key: string; value: string }>): void {
    let next: Record<string, string[]> | undefined;
    if (properties) {
      next = Object.create(null) as Record<string, string[]>;
      for (const { key, value } of properties) (next[key] ??= []).push(value);
    }
    this.touchInstance(service, serviceInstance, next);
    this.changed();
  }

  // Marks an instance seen (the newest in the map's order), with new properties when given,
  // and keeps the instances within their count and share of the budget.
  private touchInstance(service: string, serviceInstance: string, properties?: Record<string, string[]>): void {
    const key = `${service}\u0000${serviceInstance}`;
    const inst = this.instances.get(key) ?? { service, serviceInstance, properties: Object.create(null) as Record<string, string[]>, lastSeen: 0 };
    inst.lastSeen = Date.now();
    if (properties) inst.properties = properties;
    const before = this.instanceSizes.get(key) ?? 0;
    const size = properties || !before ? instanceBytes(inst) : before;
    const share = Math.floor(this.maxBytes * SIDE_SHARE);
    if (size > share) {
      this.counts.droppedRecords++;
      return;
    }
    this.instances.delete(key);
    this.instances.set(key, inst);
    this.instanceSizes.set(key, size);
    this.instanceBytesTotal += size - before;
    this.bytes += size - before;
    for (const [k] of this.instances) {
      if (this.instances.size <= MAX_INSTANCES && this.instanceBytesTotal <= share) break;
      const gone = this.instanceSizes.get(k) ?? 0;
      this.instances.delete(k);
      this.instanceSizes.delete(k);
      this.instanceBytesTotal -= gone;
      this.bytes -= gone;
      this.counts.evictedInstances++;
    }
    this.fit(undefined);
  }

  /** Problem messages of a whole trace (see `traceProblems` in analysis.ts), at most a few hundred. */
  traceProblems(trace: StoredTrace): string[] {
    return this.problemList(trace).map((p) => p.message);
  }

  /** {@link traceProblems} with the segment and span each problem belongs to (for the viewer). */
  problemList(trace: StoredTrace): TraceProblem[] {
    return traceProblems(trace).problems;
  }

  /**
   * The list view of a trace (see `summarise` in analysis.ts). Without `now`, the summary is
   * computed once and kept (counted in {@link bytes}) until the trace changes.
   */
  summary(trace: StoredTrace, now?: number): TraceSummary {
    if (now !== undefined) return summarise(trace, now);
    const t = Date.now();
    if (trace.cached && t - trace.cached.at < SUMMARY_TTL_MS) return trace.cached.summary;
    this.forgetSummary(trace);
    const summary = summarise(trace, t);
    // Only a trace still stored keeps its summary (a reader may hold an evicted one).
    if (this.traces.get(trace.traceId) === trace) {
      const bytes = summaryBytes(summary);
      trace.cached = { summary, at: t, bytes };
      trace.bytes += bytes;
      this.bytes += bytes;
      this.fit(trace);
    }
    return summary;
  }

  /** The bounded answer for one trace (`GET /api/traces/<id>`; see `traceDetail` in analysis.ts). */
  detail(trace: StoredTrace): TraceDetail {
    return traceDetail(trace, this.summary(trace), segmentBytes);
  }

  /** Newest first. */
  list(limit = 200): TraceSummary[] {
    const all = [...this.traces.values()].reverse().slice(0, limit);
    return all.map((t) => this.summary(t));
  }
}
