// Trace analysis for the collector: problems across segments, the list summary and the
// bounded answer for one trace. Pure functions over what the store holds; every result is
// bounded by the constants below, whatever the segments contain.
import type { SegmentObject, SpanObject } from '../core/index.js';
import { clipText, saneSpanTimes, validateSegment } from '../server/index.js';

/** Problems kept per segment, of its own and across segments each; the rest are counted in a last `+N more problems`. */
export const MAX_PROBLEMS_PER_SEGMENT = 32;
/** Problems quoted in a trace summary (`GET /api/traces`); `problemCount` has them all. */
export const MAX_LISTED_PROBLEMS = 10;
/** Services named in a trace summary; `serviceCount` has them all. */
export const MAX_LISTED_SERVICES = 32;
/** Characters of an endpoint name in a trace summary. */
export const LISTED_NAME_LENGTH = 256;
/** Problems in one trace answer (`GET /api/traces/<id>`). */
export const MAX_ANSWER_PROBLEMS = 500;
/** Spans in one trace answer; later segments are left out and `truncated` is set. */
export const MAX_ANSWER_SPANS = 5000;
/** Estimated bytes ({@link segmentBytes}) of the segments in one trace answer. */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/** What analysis needs of a stored trace. */
export interface AnalysedTrace {
  traceId: string;
  segments: SegmentObject[];
  /** Problems per segment id, from {@link segmentProblems}. */
  segmentProblems: Map<string, string[]>;
}

/** The list view of a trace (`GET /api/traces`). */
export interface TraceSummary {
  traceId: string;
  /** Services in causal order, at most {@link MAX_LISTED_SERVICES}. */
  services: string[];
  /** How many services the trace has. */
  serviceCount: number;
  /** Operation name of the root segment's first span (for a browser trace: the page path), cut to {@link LISTED_NAME_LENGTH}. */
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
  /** The first {@link MAX_LISTED_PROBLEMS} problems, then `+N more problems` when there are more. */
  problems: string[];
  /** How many problems the trace has. */
  problemCount: number;
}

/** One problem of a trace, with where it was found. */
export interface TraceProblem {
  segmentId: string;
  /** The span it concerns, when it concerns one. */
  spanId?: number;
  message: string;
}

/** The answer for one trace (`GET /api/traces/<id>`), bounded. */
export interface TraceDetail {
  traceId: string;
  /** Segments in arrival order, up to {@link MAX_ANSWER_SPANS} spans and {@link MAX_ANSWER_BYTES}. */
  segments: SegmentObject[];
  /** Of the whole trace. */
  summary: TraceSummary;
  /** Problems of each answered segment by segment id. */
  segmentProblems: Record<string, string[]>;
  /** Problems of the answered segments, at most {@link MAX_ANSWER_PROBLEMS}. */
  problems: TraceProblem[];
  /** True when segments were left out. */
  truncated: boolean;
  omittedSegments: number;
}

/** A segment's own problems, bounded ({@link validateSegment} with {@link MAX_PROBLEMS_PER_SEGMENT}). */
export function segmentProblems(seg: SegmentObject, now = Date.now()): string[] {
  return validateSegment(seg, now, MAX_PROBLEMS_PER_SEGMENT);
}

const MORE = /^\+(\d+) more problems$/;

/** The problems of a trace (up to `max`) and how many there are in all. */
export interface ProblemList {
  problems: TraceProblem[];
  count: number;
}

/**
 * Problems of a trace: each segment's own, plus references that do not match their parents
 * (missing parent segment or span; service, instance or address that differ from what the
 * parent segment says). The endpoint is not compared: agents may rename an entry span (route
 * templates) after its context was propagated. At most {@link MAX_PROBLEMS_PER_SEGMENT}
 * across-segment problems per segment and `max` in all; `count` includes the ones left out.
 * `only`, when given, limits the list (not the count) to those segments.
 */
export function traceProblems(trace: AnalysedTrace, max = MAX_ANSWER_PROBLEMS, only?: ReadonlySet<string>): ProblemList {
  const out: TraceProblem[] = [];
  let count = 0;
  const emit = (p: TraceProblem, listed: boolean) => {
    count++;
    if (listed && out.length < max) out.push(p);
  };
  const bySegment = new Map(trace.segments.map((s) => [s.traceSegmentId, s]));
  // Span ids of parent segments, indexed once each: a lookup per reference stays O(1).
  const spanIndex = new Map<SegmentObject, Map<number, SpanObject>>();
  const spanOf = (parent: SegmentObject, id: number) => {
    let index = spanIndex.get(parent);
    if (!index) {
      index = new Map();
      for (const s of parent.spans) if (!index.has(s.spanId)) index.set(s.spanId, s);
      spanIndex.set(parent, index);
    }
    return index.get(id);
  };
  for (const seg of trace.segments) {
    const segmentId = seg.traceSegmentId;
    const listed = !only || only.has(segmentId);
    const service = clipText(seg.service);
    for (const p of trace.segmentProblems.get(segmentId) ?? []) {
      const more = MORE.exec(p);
      if (more) {
        count += Number(more[1]) - 1;
        emit({ segmentId, message: `${service}: ${p}` }, listed);
        continue;
      }
      // validateSegment starts span-level sentences with `span <id> "<name>":`.
      const m = /^span (-?\d+) /.exec(p);
      emit({ segmentId, spanId: m ? Number(m[1]) : undefined, message: `${service}: ${p}` }, listed);
    }
    let found = 0;
    for (const span of seg.spans) {
      if (!span.refs.length) continue;
      const at = `${service} span ${span.spanId} "${clipText(span.operationName)}"`;
      const add = (message: string) => {
        if (found++ < MAX_PROBLEMS_PER_SEGMENT) emit({ segmentId, spanId: span.spanId, message: `${at}: ${message}` }, listed);
      };
      for (const ref of span.refs) {
        const parent = bySegment.get(ref.parentTraceSegmentId);
        refProblems(ref, parent, parent && spanOf(parent, ref.parentSpanId), add);
      }
    }
    if (found > MAX_PROBLEMS_PER_SEGMENT) {
      count += found - MAX_PROBLEMS_PER_SEGMENT - 1;
      emit({ segmentId, message: `${service}: +${found - MAX_PROBLEMS_PER_SEGMENT} more problems` }, listed);
    }
  }
  return { problems: out, count };
}

// What one reference gets wrong about the parent segment it names (undefined: not received).
function refProblems(ref: SpanObject['refs'][number], parent: SegmentObject | undefined, ps: SpanObject | undefined, add: (message: string) => void): void {
  if (!parent) {
    add(`parent segment ${clipText(ref.parentTraceSegmentId)} (${clipText(ref.parentService) || 'unknown service'}) not received`);
    return;
  }
  if (!ps) {
    add(`ref points at span ${ref.parentSpanId}, which ${clipText(parent.service)}'s segment does not have`);
    return;
  }
  if (ref.parentService !== parent.service) add(`ref parentService "${clipText(ref.parentService)}" ≠ "${clipText(parent.service)}"`);
  if (ref.parentServiceInstance !== parent.serviceInstance) add(`ref parentServiceInstance "${clipText(ref.parentServiceInstance)}" ≠ "${clipText(parent.serviceInstance)}"`);
  if (ref.refType === 'CrossProcess') {
    if (ps.spanType !== 'Exit') add(`ref points at a ${ps.spanType} span, expected Exit`);
    if (ref.networkAddressUsedAtPeer !== ps.peer) add(`networkAddressUsedAtPeer "${clipText(ref.networkAddressUsedAtPeer)}" ≠ caller's exit peer "${clipText(ps.peer)}"`);
  }
}

/**
 * The list view of a trace. `start` and `duration` cover only spans with sane times
 * ({@link saneSpanTimes}); with none, both are 0.
 */
export function summarise(trace: AnalysedTrace, now = Date.now()): TraceSummary {
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
  const { problems, count } = traceProblems(trace, MAX_LISTED_PROBLEMS);
  const messages = problems.map((p) => p.message);
  if (count > messages.length) messages.push(`+${count - messages.length} more problems`);
  return {
    traceId: trace.traceId,
    services: services.slice(0, MAX_LISTED_SERVICES).map((s) => clipText(s, LISTED_NAME_LENGTH)),
    serviceCount: services.length,
    endpoint: clipText(endpoint, LISTED_NAME_LENGTH),
    entryEndpoint: clipText(entryEndpoint, LISTED_NAME_LENGTH),
    start: Number.isFinite(start) ? start : 0,
    duration: Number.isFinite(start) ? end - start : 0,
    spanCount: spans,
    segmentCount: trace.segments.length,
    error,
    problems: messages,
    problemCount: count,
  };
}

/** Approximate heap bytes of a summary (for the store's budget). */
export function summaryBytes(s: TraceSummary): number {
  let n = 400 + 2 * (s.traceId.length + s.endpoint.length + s.entryEndpoint.length);
  for (const x of s.services) n += 40 + 2 * x.length;
  for (const x of s.problems) n += 40 + 2 * x.length;
  return n;
}

/**
 * The answer for one trace: segments in arrival order until {@link MAX_ANSWER_SPANS} spans or
 * {@link MAX_ANSWER_BYTES} (by `bytesOf`), the problems of those, and the summary of all.
 */
export function traceDetail(trace: AnalysedTrace, summary: TraceSummary, bytesOf: (seg: SegmentObject) => number): TraceDetail {
  const segments: SegmentObject[] = [];
  let spans = 0;
  let bytes = 0;
  for (const seg of trace.segments) {
    spans += seg.spans.length;
    bytes += bytesOf(seg);
    if (spans > MAX_ANSWER_SPANS || bytes > MAX_ANSWER_BYTES) break;
    segments.push(seg);
  }
  const ids = new Set(segments.map((s) => s.traceSegmentId));
  // Null prototype: segment ids come from input (`__proto__` is an id like any other).
  const segmentProblemsOut: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const id of ids) segmentProblemsOut[id] = trace.segmentProblems.get(id) ?? [];
  return {
    traceId: trace.traceId,
    segments,
    summary,
    segmentProblems: segmentProblemsOut,
    problems: traceProblems(trace, MAX_ANSWER_PROBLEMS, ids).problems,
    truncated: segments.length < trace.segments.length,
    omittedSegments: trace.segments.length - segments.length,
  };
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
