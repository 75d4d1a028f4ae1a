import type { Extractable, Injectable } from './carrier.js';
import { diag } from './diag.js';
import type { Limits, TracerStats } from './limits.js';
import { truncate } from './limits.js';
import type { SegmentObject, SegmentReference, SpanType } from './segment.js';
import { noopSpan, Span, type SpanOwner } from './span.js';
import type { Extracted } from './extract.js';
import { MAX_ID_LENGTH } from './ids.js';
import { encodeCorrelation, encodeSw8, encodeSw8x, SW8, SW8_CORRELATION, SW8_X } from './sw8.js';

/**
 * What a context needs from its tracer. Internal: not part of the stable API.
 */
export interface ContextHost {
  readonly service: string;
  readonly serviceInstance: string;
  readonly limits: Limits;
  readonly stats: TracerStats;
  /** Send `sw8-x` with the client send time on every injection. */
  readonly propagateSendTime: boolean;
  now(): number;
  nextId(): string;
  sample(operationName: string): boolean;
  /** Reads propagation headers; a tracer that never receives requests may return undefined. */
  extract(carrier: Extractable): Extracted | undefined;
  finish(segment: SegmentObject, sampled: boolean): void;
}

/**
 * A context's state, captured to continue it in other async work (a CrossThread reference).
 * Plain data: it may be serialised (JSON turns `correlation` into a plain object, which
 * {@link TracingContext.continued} accepts too).
 */
export interface ContextSnapshot {
  /** The trace the captured context belongs to. */
  readonly traceId: string;
  /** The captured context's segment id: the reference's `parentTraceSegmentId`. */
  readonly segmentId: string;
  /** The span the reference points at (the active span, else the last one); -1 when the context had none, and such a snapshot is ignored. */
  readonly spanId: number;
  /** What the captured context sends as sw8 field 7 (its first entry span's name). */
  readonly endpoint: string;
  /** The captured context's sampling decision, which a continued context without spans adopts. */
  readonly sampled: boolean;
  /** True when the captured context reports with `skipAnalysis`; the continued one then does too. */
  readonly skipAnalysis: boolean;
  /** The captured correlation entries, merged into the continued context. */
  readonly correlation: ReadonlyMap<string, string>;
}

const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH;

/** Options of one tracing context. */
export interface TracingContextOptions {
  /**
   * sw8 field 7 when this segment has no entry span, e.g. the browser's page path.
   * Default: the segment's first span's operation name.
   */
  endpoint?: string;
}

/**
 * One segment: the spans a process records for one trace. Create spans, end them; the
 * segment is reported when its last open span ends. Never throws.
 */
export class TracingContext implements SpanOwner {
  /**
   * The trace id: generated, or adopted from the caller (a valid sw8 on the first entry
   * span) or from a snapshot (see {@link continued}).
   */
  traceId: string;
  /** This segment's id (`traceSegmentId`), unique per context; sw8 field 3 of what it sends. */
  readonly segmentId: string;
  /** @internal */
  readonly limits: Limits;
  private readonly recorded: Span[] = [];
  private readonly openSpans: Span[] = [];
  private segmentDone = false;
  private sampled: boolean | undefined;
  private skip = false;
  private sizeLimited = false;
  // The span, not its name: a router renaming it (`GET:/users/:id`) renames the endpoint
  // sent in sw8 field 7 too, as Java's primary endpoint does.
  private firstEntry: Span | undefined;
  private endpointOverride: string | undefined;
  private pendingRef: { ref: SegmentReference; sampled: boolean } | undefined;
  private correlationMap: Map<string, string> | undefined;
  // True once the trace id came from upstream or left this context (an injected header,
  // a capture): from then on continued() no longer adopts a snapshot's trace id.
  private traceFixed = false;

  /** @internal Use `tracer.createTracingContext()`. */
  constructor(
    private readonly hostTracer: ContextHost,
    options?: TracingContextOptions,
  ) {
    this.limits = hostTracer.limits;
    this.traceId = hostTracer.nextId();
    this.segmentId = hostTracer.nextId();
    if (options?.endpoint) this.endpointOverride = truncate(String(options.endpoint), hostTracer.limits.maxOperationNameLength);
  }

  /** True when this segment will be reported (decided at its first span; upstream decisions win). */
  get isSampled(): boolean {
    return this.sampled !== false;
  }

  /** True when every span is reported with `skipAnalysis` (sw8-x tracing mode 1). */
  get skipAnalysis(): boolean {
    return this.skip;
  }

  /** Turns `skipAnalysis` on for this segment and everything it calls. */
  setSkipAnalysis(on = true): void {
    this.skip = on;
  }

  /** True once the last open span has ended and the segment was handed to the reporter. */
  get isFinished(): boolean {
    return this.segmentDone;
  }

  /** The innermost open span: the most recently created span that has not ended. */
  activeSpan(): Span | undefined {
    return this.openSpans[this.openSpans.length - 1];
  }

  /** The correlation entries that travel in `sw8-correlation`. */
  get correlation(): ReadonlyMap<string, string> {
    return this.correlationMap ?? EMPTY_MAP;
  }

  /**
   * Sets a correlation entry; an empty value removes it. At most 3 keys are kept, and
   * values over 128 characters are not sent (the Java agent's limits).
   */
  setCorrelation(key: string, value: string): void {
    if (!key || typeof key !== 'string') return;
    const map = (this.correlationMap ??= new Map());
    if (!value) map.delete(key);
    else if (typeof value === 'string' && (map.has(key) || map.size < 3)) map.set(key, value);
  }

  /**
   * Creates an Entry span (a request received). With an `extractable`, reads `sw8`,
   * `sw8-correlation` and `sw8-x`; an invalid sw8 silently starts a new trace.
   */
  createEntrySpan(operationName: string, parent?: Span | null, extractable?: Extractable | null): Span {
    const x = extractable ? this.hostTracer.extract(extractable) : undefined;
    const span = this.create('Entry', operationName, parent, '', x?.ref, x?.sampled);
    if (span.isRecording) this.firstEntry ??= span;
    x?.enter(this, span);
    return span;
  }

  /** Creates a Local span (in-process work). */
  createLocalSpan(operationName: string, parent?: Span | null): Span {
    return this.create('Local', operationName, parent, '', undefined, undefined);
  }

  /**
   * Creates an Exit span (a request sent to `peer`) and, with an `injectable`, writes `sw8`
   * (plus `sw8-correlation` and `sw8-x` when they carry something). `peer` is also sw8 field 8,
   * byte for byte. An empty peer is a misuse: the span is created, nothing is injected.
   */
  createExitSpan(operationName: string, parent: Span | null | undefined, peer: string, injectable?: Injectable | null): Span {
    const p = typeof peer === 'string' ? peer : '';
    if (!p) diag.once('warn', 'exit-no-peer', `exit span "${operationName}" has no peer: it is recorded but nothing is propagated`);
    const span = this.create('Exit', operationName, parent, p, undefined, undefined);
    if (injectable && p) this.inject(span, injectable);
    return span;
  }

  /**
   * Writes the propagation headers for `span` (normally an Exit span) into `injectable`.
   * Existing values are replaced through `injectable.inject`. Does nothing when the
   * context has no recorded span to point at. A span of another context (or none) points
   * at this context's active span.
   */
  inject(span: Span, injectable: Injectable): void {
    try {
      const spanId = span?.owner === this ? span.spanId : (this.activeSpan()?.spanId ?? -1);
      if (spanId < 0 || !injectable) return;
      const sw8 = encodeSw8({
        sampled: this.isSampled,
        traceId: this.traceId,
        parentSegmentId: this.segmentId,
        parentSpanId: spanId,
        parentService: this.hostTracer.service,
        parentServiceInstance: this.hostTracer.serviceInstance,
        parentEndpoint: this.endpoint(),
        // A missing span gives no peer, and encodeSw8 refuses the header.
        addressUsedAtClient: span?.peer as string,
      });
      if (!sw8) {
        diag.once('warn', 'sw8-encode', 'an sw8 header could not be built (empty field or over 2 KB); not propagated');
        return;
      }
      injectable.inject(SW8, sw8);
      this.traceFixed = span.propagated = true;
      const corr = this.correlationMap && encodeCorrelation(this.correlationMap);
      if (corr) injectable.inject(SW8_CORRELATION, corr);
      if (this.skip || this.hostTracer.propagateSendTime)
        injectable.inject(SW8_X, encodeSw8x({ skipAnalysis: this.skip, sendTime: this.hostTracer.propagateSendTime ? this.now() : undefined }));
    } catch (err) {
      diag.warn('injecting propagation headers failed', err);
    }
  }

  /**
   * Captures this context to continue it elsewhere with {@link continued}. The snapshot
   * points at the active span, else the last span; before the first span it points at
   * nothing (`spanId` -1) and `continued` ignores it.
   */
  capture(): ContextSnapshot {
    const span = this.activeSpan() ?? this.recorded[this.recorded.length - 1];
    if (span) this.traceFixed = true;
    return {
      traceId: this.traceId,
      segmentId: this.segmentId,
      spanId: span?.spanId ?? -1,
      endpoint: this.endpoint(),
      sampled: this.isSampled,
      skipAnalysis: this.skip,
      correlation: new Map(this.correlationMap ?? EMPTY_MAP),
    };
  }

  /**
   * Continues a captured context: adds a CrossThread reference to the active span, or to
   * the next span created when none is open, and merges its correlation.
   *
   * The trace id: a context without spans takes the snapshot's trace id and sampling
   * decision. One that already has spans takes the snapshot's trace id too (as Java's
   * `TracingContext.continued` does), unless its own trace id came from upstream (sw8, an
   * earlier snapshot) or already left it (an injected header, a capture): changing it then
   * would split the trace. A snapshot that is not one (wrong field types, an id over 150
   * characters, no span to point at) is ignored with a diagnostic.
   */
  continued(snapshot: ContextSnapshot): void {
    if (this.segmentDone) return;
    try {
      const s = snapshot;
      if (!s || !isId(s.traceId) || !isId(s.segmentId) || !((s.spanId | 0) === s.spanId && s.spanId >= 0) || typeof s.endpoint !== 'string') {
        diag.once('warn', 'bad-snapshot', 'continued(): not a snapshot from capture(), or one of a context without spans; ignored');
        return;
      }
      const ref: SegmentReference = {
        refType: 'CrossThread',
        traceId: s.traceId,
        parentTraceSegmentId: s.segmentId,
        parentSpanId: s.spanId,
        parentService: this.hostTracer.service,
        parentServiceInstance: this.hostTracer.serviceInstance,
        parentEndpoint: s.endpoint,
        networkAddressUsedAtPeer: '',
      };
      if (s.skipAnalysis === true) this.skip = true;
      const c: unknown = s.correlation;
      // A Map, or the plain object a JSON round trip makes of one (or of the caller's own).
      if (c && typeof c === 'object') for (const [k, v] of c instanceof Map ? c : Object.entries(c)) this.setCorrelation(k, v);
      const active = this.activeSpan();
      if (active) {
        active.addRef(ref);
        if (!this.traceFixed) this.traceId = s.traceId;
        this.traceFixed = true;
      } else {
        // No open span in an unfinished context: it has no spans yet.
        this.pendingRef = { ref, sampled: s.sampled !== false };
        if (this.endpointOverride === undefined && s.endpoint) this.endpointOverride = truncate(s.endpoint, this.limits.maxOperationNameLength);
      }
    } catch (err) {
      diag.warn('continued(): the snapshot could not be read; ignored', err);
    }
  }

  /** @internal */
  now(): number {
    return this.hostTracer.now();
  }

  /** @internal */
  countDrop(kind: 'droppedTags' | 'droppedLogs' | 'truncatedValues'): void {
    if (this.hostTracer.stats[kind]++ === 0) diag.once('warn', kind, `span limits reached: ${kind} (see tracer.stats)`);
  }

  /** @internal Called by a span when it ends. */
  spanEnded(span: Span): void {
    const open = this.openSpans;
    // Usually the innermost span ends first; search from the end.
    if (open[open.length - 1] === span) open.pop();
    else for (let i = open.length - 2; i >= 0; i--) {
      if (open[i] === span) {
        open.splice(i, 1);
        break;
      }
    }
    if (open.length === 0 && !this.segmentDone) this.finish();
  }

  private endpoint(): string {
    return this.firstEntry?.operationName ?? this.endpointOverride ?? this.recorded[0]?.operationName ?? '';
  }

  private create(
    type: SpanType,
    operationName: string,
    parent: Span | null | undefined,
    peer: string,
    ref: SegmentReference | undefined,
    upstream: boolean | undefined,
  ): Span {
    const now = this.hostTracer.now();
    const name = truncate(typeof operationName === 'string' && operationName ? operationName : 'unknown', this.limits.maxOperationNameLength);
    if (this.segmentDone) {
      diag.once('warn', 'finished-context', `span "${name}" created in a finished context: not recorded`);
      return noopSpan(type, name, peer, now);
    }
    if (this.recorded.length >= this.limits.maxSpansPerSegment) {
      this.sizeLimited = true;
      if (this.hostTracer.stats.droppedSpans++ === 0)
        diag.once('warn', 'span-limit', `more than ${this.limits.maxSpansPerSegment} spans in a segment; extra spans are dropped`);
      return noopSpan(type, name, peer, now);
    }
    let parentId = -1;
    if (this.recorded.length > 0) {
      if (parent && parent.owner === this) parentId = parent.spanId;
      else {
        if (parent && parent.isRecording) diag.debug('parent span belongs to another context; using the active span');
        // No open span and spans exist would mean the context is finished (handled above).
        parentId = this.activeSpan()?.spanId ?? 0;
      }
    }
    const span = new Span(this, this.recorded.length, parentId, type, name, peer, now);
    if (this.recorded.length === 0) {
      const pending = this.pendingRef;
      if (ref || pending) this.traceFixed = true;
      if (ref) {
        this.traceId = ref.traceId;
        this.sampled = upstream;
      } else if (pending) {
        this.traceId = pending.ref.traceId;
        this.sampled = pending.sampled;
        span.addRef(pending.ref);
        this.pendingRef = undefined;
      } else {
        this.sampled = this.hostTracer.sample(name);
      }
    }
    if (ref) span.addRef(ref);
    this.recorded.push(span);
    this.openSpans.push(span);
    return span;
  }

  private finish(): void {
    this.segmentDone = true;
    const skip = this.skip;
    // An unsampled segment is only counted: skip converting its spans.
    const spans = this.isSampled ? this.recorded.map((s) => s.toObject(skip)) : [];
    const segment: SegmentObject = {
      traceId: this.traceId,
      traceSegmentId: this.segmentId,
      spans,
      service: this.hostTracer.service,
      serviceInstance: this.hostTracer.serviceInstance,
      isSizeLimited: this.sizeLimited,
    };
    this.hostTracer.finish(segment, this.isSampled);
  }
}

const EMPTY_MAP: ReadonlyMap<string, string> = new Map();
