import type { SegmentObject, SpanObject } from '../core/index.js';
import { saneSpanTimes, validateSegment } from '../server/index.js';
import { TelemetryStore, type MeterStreamInfo } from './telemetry-store.js';

/** One trace as the collector holds it. */
export interface StoredTrace {
  traceId: string;
  segments: SegmentObject[];
  /** Problems per segment id, from {@link validateSegment}. */
  segmentProblems: Map<string, string[]>;
  receivedAt: number;
  /** Approximate bytes held for this trace (see {@link segmentBytes}). */
  bytes: number;
}

/** The list view of a trace (`GET /api/traces`). */
export interface TraceSummary {
  traceId: string;
  services: string[];
  /** Operation name of the root segment's first span (for a browser trace: the page path). */
  endpoint: string;
  /** Operation name of the first Entry span: the first service endpoint the trace reached ('' when none). */
  entryEndpoint: string;
  /** Epoch ms of the earliest sane span start ({@link saneSpanTimes}); 0 when no span has sane times. */
  start: number;
  /** Milliseconds from `start` to the latest sane span end. */
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
  /** Approximate bytes kept for all traces ({@link segmentBytes}); the oldest traces are evicted beyond it. Default 256 MiB. */
  maxBytes?: number;
}

/** Default of {@link TraceStoreOptions.maxBytes}: 256 MiB. */
export const DEFAULT_MAX_STORE_BYTES = 256 * 1024 * 1024;

// Rough per-object costs of the decoded form in a JS heap (object header, fields, array slot).
const SEGMENT_OVERHEAD = 200;
const SPAN_OVERHEAD = 240;
const PAIR_OVERHEAD = 80;
const REF_OVERHEAD = 160;

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

/**
 * In-memory, bounded trace storage with validation. Segments are grouped by trace id;
 * a segment id seen twice replaces the first (as OAP's storage does).
 */
export class TraceStore {
  readonly traces = new Map<string, StoredTrace>();
  readonly instances = new Map<string, InstanceInfo>();
  readonly counts = { segments: 0, evictedTraces: 0, droppedSegments: 0, logs: 0, meters: 0, browserPerf: 0, browserErrors: 0, rejected: 0 };
  /** Approximate bytes held by all stored traces ({@link segmentBytes}); at most `maxBytes`. */
  bytes = 0;
  /** The latest browser error logs (at most {@link KEPT_ITEMS}). */
  readonly browserErrors: Array<Record<string, unknown>> = [];
  /** Logs and meters, within their own byte budget (telemetry-store.ts). */
  readonly telemetry = new TelemetryStore();
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
    const size = segmentBytes(seg);
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
    const replaced = trace && at >= 0 ? segmentBytes(trace.segments[at]!) : 0;
    // Room by bytes: evict the oldest traces other than this one.
    for (const [id, old] of this.traces) {
      if (this.bytes - replaced + size <= this.maxBytes) break;
      if (old === trace) continue;
      this.evict(id, old);
    }
    if (this.bytes - replaced + size > this.maxBytes) {
      // Only this trace is left and it is full: keep what it has.
      this.counts.droppedSegments++;
      return;
    }
    if (!trace) {
      trace = { traceId: seg.traceId, segments: [], segmentProblems: new Map(), receivedAt: Date.now(), bytes: 0 };
      this.traces.set(seg.traceId, trace);
      while (this.traces.size > this.maxTraces) {
        const [oldest, old] = this.traces.entries().next().value as [string, StoredTrace];
        this.evict(oldest, old);
      }
    }
    if (at >= 0) trace.segments[at] = seg;
    else trace.segments.push(seg);
    trace.bytes += size - replaced;
    this.bytes += size - replaced;
    trace.segmentProblems.set(seg.traceSegmentId, validateSegment(seg));
    const key = `${seg.service}\u0000${seg.serviceInstance}`;
    const inst = this.instances.get(key);
    if (inst) inst.lastSeen = Date.now();
    else if (this.instances.size < 10_000) this.instances.set(key, { service: seg.service, serviceInstance: seg.serviceInstance, properties: {}, lastSeen: Date.now() });
  }

  private evict(id: string, trace: StoredTrace): void {
    this.traces.delete(id);
    this.bytes -= trace.bytes;
    this.counts.evictedTraces++;
  }

  /** Records browser error logs (`BrowserErrorLog`, from gRPC or `/browser/errorLog(s)`). */
  addBrowserErrors(items: unknown[]): void {
    this.counts.browserErrors += items.length;
    for (const e of items) keepLatest(this.browserErrors, (e && typeof e === 'object' ? e : { value: e }) as Record<string, unknown>);
    for (const fn of this.listeners) fn();
  }

  /** Counts browser perf reports (BrowserPerfService perf methods or `/browser/perfData*`); only their number is kept. */
  addBrowserPerf(count: number): void {
    this.counts.browserPerf += count;
  }

  /** Records one `LogData` record (LogReportService). */
  addLog(record: Record<string, unknown>): void {
    this.counts.logs++;
    this.telemetry.addLog(record);
  }

  /** The `LogData` records held (LogReportService, `POST /v3/logs`), oldest first. */
  get logs(): Array<Record<string, unknown>> {
    return this.telemetry.logs;
  }

  /** The `MeterData` records held, oldest first. */
  get meters(): Array<Record<string, unknown>> {
    return this.telemetry.meters;
  }

  /** Records `MeterData` records (MeterReportService `collect` and `collectBatch`). */
  addMeters(records: Array<Record<string, unknown>>, stream?: MeterStreamInfo): void {
    this.counts.meters += records.length;
    this.telemetry.addMeters(records, stream);
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

  /**
   * The list view of a trace. `start` and `duration` cover only spans with sane times
   * ({@link saneSpanTimes}); with none, both are 0.
   */
  summary(trace: StoredTrace, now = Date.now()): TraceSummary {
    let start = Infinity;
    let end = 0;
    let spans = 0;
    let error = false;
    // Services in causal order: by the earliest start of any of their segments, then by how
    // many references away from the root that segment is (clocks tie within a millisecond).
    const firstSeen = new Map<string, [number, number]>();
    const depth = segmentDepths(trace.segments);
    // A span with an insane start sorts last instead of first.
    const startOf = (s: SpanObject | undefined) => (s && saneSpanTimes(s, now) ? s.startTime : Infinity);
    let endpoint = '';
    let rootStart = Infinity;
    let entryEndpoint = '';
    let entryAt: [number, number] = [Infinity, Infinity];
    for (const seg of trace.segments) {
      const first = startOf(seg.spans[0]);
      const d = depth.get(seg.traceSegmentId) ?? 0;
      const prev = firstSeen.get(seg.service);
      if (!prev || first < prev[0] || (first === prev[0] && d < prev[1])) firstSeen.set(seg.service, [first, d]);
      for (const s of seg.spans) {
        spans++;
        // Only sane times make the window; the others are problems of their segment.
        if (saneSpanTimes(s, now)) {
          if (s.startTime < start) start = s.startTime;
          if (s.endTime > end) end = s.endTime;
        }
        if (s.isError) error = true;
      }
      const root = seg.spans[0];
      if (root && d === 0 && (!endpoint || first < rootStart)) {
        rootStart = first;
        endpoint = root.operationName;
      }
      // The first endpoint of a service the trace reached: fewest hops from the root, then earliest.
      const entry = seg.spans.find((s) => s.spanType === 'Entry');
      if (entry && (d < entryAt[0] || (d === entryAt[0] && startOf(entry) < entryAt[1]))) {
        entryAt = [d, startOf(entry)];
        entryEndpoint = entry.operationName;
      }
    }
    const services = [...firstSeen].sort((a, b) => a[1][0] - b[1][0] || a[1][1] - b[1][1]).map(([name]) => name);
    return {
      traceId: trace.traceId,
      services,
      endpoint,
      entryEndpoint,
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
