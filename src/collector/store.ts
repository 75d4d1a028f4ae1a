import type { SegmentObject } from '../core/index.js';
import { validateSegment } from '../server/index.js';

/** One trace as the collector holds it. */
export interface StoredTrace {
  traceId: string;
  segments: SegmentObject[];
  /** Problems per segment id, from {@link validateSegment}. */
  segmentProblems: Map<string, string[]>;
  receivedAt: number;
}

/** The list view of a trace (`GET /api/traces`). */
export interface TraceSummary {
  traceId: string;
  services: string[];
  endpoint: string;
  start: number;
  duration: number;
  spanCount: number;
  segmentCount: number;
  error: boolean;
  problems: string[];
}

/** One problem of a trace, with where it was found. */
export interface TraceProblem {
  segmentId: string;
  /** The span it concerns, when it concerns one. */
  spanId?: number;
  message: string;
}

/** A service instance seen through ManagementService or segments. */
export interface InstanceInfo {
  service: string;
  serviceInstance: string;
  properties: Record<string, string[]>;
  lastSeen: number;
}

/** How many browser errors and log records the store keeps (newest). */
export const KEPT_ITEMS = 500;

/** Appends to a bounded list, dropping the oldest entry when full. */
export function keepLatest<T>(list: T[], item: T, max = KEPT_ITEMS): void {
  if (list.length >= max) list.shift();
  list.push(item);
}

/** Options of {@link TraceStore}. */
export interface TraceStoreOptions {
  /** Most traces kept; the oldest are evicted. Default 2000. */
  maxTraces?: number;
  /** Most segments kept per trace. Default 1000. */
  maxSegmentsPerTrace?: number;
}

/**
 * In-memory, bounded trace storage with validation. Segments are grouped by trace id;
 * a segment id seen twice replaces the first (as OAP's storage does).
 */
export class TraceStore {
  readonly traces = new Map<string, StoredTrace>();
  readonly instances = new Map<string, InstanceInfo>();
  readonly counts = { segments: 0, evictedTraces: 0, droppedSegments: 0, logs: 0, meters: 0, browserPerf: 0, browserErrors: 0, rejected: 0 };
  /** The latest browser error logs (at most {@link KEPT_ITEMS}). */
  readonly browserErrors: Array<Record<string, unknown>> = [];
  /** The latest `LogData` records from LogReportService (at most {@link KEPT_ITEMS}). */
  readonly logs: Array<Record<string, unknown>> = [];
  /** The latest `MeterData` records from MeterReportService (at most {@link KEPT_ITEMS}). */
  readonly meters: Array<Record<string, unknown>> = [];
  private readonly maxTraces: number;
  private readonly maxSegments: number;
  private listeners = new Set<() => void>();

  constructor(options: TraceStoreOptions = {}) {
    this.maxTraces = options.maxTraces ?? 2000;
    this.maxSegments = options.maxSegmentsPerTrace ?? 1000;
  }

  /** Calls `fn` after every change; returns the unsubscribe function. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  addSegments(segments: SegmentObject[]): void {
    for (const seg of segments) this.addSegment(seg);
    for (const fn of this.listeners) fn();
  }

  private addSegment(seg: SegmentObject): void {
    this.counts.segments++;
    let trace = this.traces.get(seg.traceId);
    if (!trace) {
      trace = { traceId: seg.traceId, segments: [], segmentProblems: new Map(), receivedAt: Date.now() };
      this.traces.set(seg.traceId, trace);
      while (this.traces.size > this.maxTraces) {
        const oldest = this.traces.keys().next().value as string;
        this.traces.delete(oldest);
        this.counts.evictedTraces++;
      }
    }
    const at = trace.segments.findIndex((s) => s.traceSegmentId === seg.traceSegmentId);
    if (at >= 0) trace.segments[at] = seg;
    else if (trace.segments.length >= this.maxSegments) {
      this.counts.droppedSegments++;
      return;
    } else trace.segments.push(seg);
    trace.segmentProblems.set(seg.traceSegmentId, validateSegment(seg));
    const key = `${seg.service}\u0000${seg.serviceInstance}`;
    const inst = this.instances.get(key);
    if (inst) inst.lastSeen = Date.now();
    else if (this.instances.size < 10_000) this.instances.set(key, { service: seg.service, serviceInstance: seg.serviceInstance, properties: {}, lastSeen: Date.now() });
  }

  /** Records browser error logs (`BrowserErrorLog`, from gRPC or `/browser/errorLog(s)`). */
  addBrowserErrors(items: unknown[]): void {
    this.counts.browserErrors += items.length;
    for (const e of items) keepLatest(this.browserErrors, (e && typeof e === 'object' ? e : { value: e }) as Record<string, unknown>);
    for (const fn of this.listeners) fn();
  }

  /** Records one `LogData` record (LogReportService). */
  addLog(record: Record<string, unknown>): void {
    this.counts.logs++;
    keepLatest(this.logs, record);
  }

  /** Records `MeterData` records (MeterReportService `collect` and `collectBatch`). */
  addMeters(records: Array<Record<string, unknown>>): void {
    this.counts.meters += records.length;
    for (const r of records) keepLatest(this.meters, r);
  }

  /** Records ManagementService data. */
  addInstance(service: string, serviceInstance: string, properties?: Array<{ key: string; value: string }>): void {
    const key = `${service}\u0000${serviceInstance}`;
    const inst = this.instances.get(key) ?? { service, serviceInstance, properties: {}, lastSeen: 0 };
    inst.lastSeen = Date.now();
    if (properties) {
      inst.properties = {};
      for (const { key: k, value } of properties) (inst.properties[k] ??= []).push(value);
    }
    if (this.instances.size < 10_000 || this.instances.has(key)) this.instances.set(key, inst);
  }

  /**
   * Problems of a whole trace: each segment's own, plus references that do not match their
   * parents (missing parent segment or span; service, instance or address that differ
   * from what the parent segment says). The endpoint is not compared: agents may rename
   * an entry span (route templates) after its context was propagated.
   */
  traceProblems(trace: StoredTrace): string[] {
    return this.problemList(trace).map((p) => p.message);
  }

  /** {@link traceProblems} with the segment and span each problem belongs to (for the viewer). */
  problemList(trace: StoredTrace): TraceProblem[] {
    const out: TraceProblem[] = [];
    const bySegment = new Map(trace.segments.map((s) => [s.traceSegmentId, s]));
    for (const seg of trace.segments) {
      const segmentId = seg.traceSegmentId;
      for (const p of trace.segmentProblems.get(segmentId) ?? []) {
        // validateSegment starts span-level sentences with `span <id> "<name>":`.
        const m = /^span (-?\d+) /.exec(p);
        out.push({ segmentId, spanId: m ? Number(m[1]) : undefined, message: `${seg.service}: ${p}` });
      }
      for (const span of seg.spans) {
        const at = `${seg.service} span ${span.spanId} "${span.operationName}"`;
        const add = (message: string) => out.push({ segmentId, spanId: span.spanId, message: `${at}: ${message}` });
        for (const ref of span.refs) {
          const parent = bySegment.get(ref.parentTraceSegmentId);
          if (!parent) {
            add(`parent segment ${ref.parentTraceSegmentId} (${ref.parentService || 'unknown service'}) not received`);
            continue;
          }
          const ps = parent.spans.find((s) => s.spanId === ref.parentSpanId);
          if (!ps) {
            add(`ref points at span ${ref.parentSpanId}, which ${parent.service}'s segment does not have`);
            continue;
          }
          if (ref.parentService !== parent.service) add(`ref parentService "${ref.parentService}" ≠ "${parent.service}"`);
          if (ref.parentServiceInstance !== parent.serviceInstance) add(`ref parentServiceInstance "${ref.parentServiceInstance}" ≠ "${parent.serviceInstance}"`);
          if (ref.refType === 'CrossProcess') {
            if (ps.spanType !== 'Exit') add(`ref points at a ${ps.spanType} span, expected Exit`);
            if (ref.networkAddressUsedAtPeer !== ps.peer) add(`networkAddressUsedAtPeer "${ref.networkAddressUsedAtPeer}" ≠ caller's exit peer "${ps.peer}"`);
          }
        }
      }
    }
    return out;
  }

  summary(trace: StoredTrace): TraceSummary {
    let start = Infinity;
    let end = 0;
    let spans = 0;
    let error = false;
    // Services in causal order: by the earliest start of any of their segments, then by how
    // many references away from the root that segment is (clocks tie within a millisecond).
    const firstSeen = new Map<string, [number, number]>();
    const depth = segmentDepths(trace.segments);
    let endpoint = '';
    let rootStart = Infinity;
    for (const seg of trace.segments) {
      const first = seg.spans[0]?.startTime ?? Infinity;
      const d = depth.get(seg.traceSegmentId) ?? 0;
      const prev = firstSeen.get(seg.service);
      if (!prev || first < prev[0] || (first === prev[0] && d < prev[1])) firstSeen.set(seg.service, [first, d]);
      for (const s of seg.spans) {
        spans++;
        if (s.startTime < start) start = s.startTime;
        if (s.endTime > end) end = s.endTime;
        if (s.isError) error = true;
      }
      const root = seg.spans[0];
      const isRoot = root && depth.get(seg.traceSegmentId) === 0;
      if (root && isRoot && root.startTime < rootStart) {
        rootStart = root.startTime;
        endpoint = root.operationName;
      }
    }
    const services = [...firstSeen].sort((a, b) => a[1][0] - b[1][0] || a[1][1] - b[1][1]).map(([name]) => name);
    return {
      traceId: trace.traceId,
      services,
      endpoint,
      start: Number.isFinite(start) ? start : 0,
      duration: Number.isFinite(start) ? end - start : 0,
      spanCount: spans,
      segmentCount: trace.segments.length,
      error,
      problems: this.traceProblems(trace),
    };
  }

  /** Newest first. */
  list(limit = 200): TraceSummary[] {
    const all = [...this.traces.values()].reverse().slice(0, limit);
    return all.map((t) => this.summary(t));
  }
}

/** How many references lead from each segment up to a segment without a received parent. */
function segmentDepths(segments: SegmentObject[]): Map<string, number> {
  const byId = new Map(segments.map((s) => [s.traceSegmentId, s]));
  const depths = new Map<string, number>();
  const depthOf = (seg: SegmentObject, seen: Set<string>): number => {
    const known = depths.get(seg.traceSegmentId);
    if (known !== undefined) return known;
    let d = 0;
    seen.add(seg.traceSegmentId);
    for (const span of seg.spans)
      for (const ref of span.refs) {
        const parent = byId.get(ref.parentTraceSegmentId);
        // A reference cycle (bad data) must not recurse forever.
        if (parent && !seen.has(parent.traceSegmentId)) d = Math.max(d, depthOf(parent, seen) + 1);
      }
    depths.set(seg.traceSegmentId, d);
    return d;
  };
  for (const seg of segments) depthOf(seg, new Set());
  return depths;
}
