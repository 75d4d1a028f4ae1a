import type { Extractable, Injectable } from './carrier.js';
import { diag } from './diag.js';
import type { Limits, TracerStats } from './limits.js';
import { truncate } from './limits.js';
import type { SegmentObject, SegmentReference, SpanType } from './segment.js';
import { noopSpan, Span, type SpanOwner } from './span.js';
import type { Extracted } from './extract.js';
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

/** A context's state, captured to continue it in other async work (a CrossThread reference). */
export interface ContextSnapshot {
  readonly traceId: string;
  readonly segmentId: string;
  readonly spanId: number;
  readonly endpoint: string;
  readonly sampled: boolean;
  readonly skipAnalysis: boolean;
  readonly correlation: ReadonlyMap<string, string>;
}

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
  /** The trace id; adopted from the caller when the first span is an entry with a valid sw8. */
  traceId: string;
  readonly segmentId: string;
  /** @internal */
  readonly limits: Limits;
  private readonly spans: Span[] = [];
  private readonly open: Span[] = [];
  private finished = false;
  private sampled: boolean | undefined;
  private skip = false;
  private sizeLimited = false;
  // The span, not its name: a router renaming it (`GET:/users/:id`) renames the endpoint
  // sent in sw8 field 7 too, as Java's primary endpoint does.
  private firstEntry: Span | undefined;
  private endpointOverride: string | undefined;
  private pending: { ref: SegmentReference; sampled: boolean } | undefined;
  private correlationMap: Map<string, string> | undefined;

  /** @internal Use `tracer.createTracingContext()`. */
  constructor(
    private readonly host: ContextHost,
    options?: TracingContextOptions,
  ) {
    this.limits = host.limits;
    this.traceId = host.nextId();
    this.segmentId = host.nextId();
    if (options?.endpoint) this.endpointOverride = truncate(String(options.endpoint), host.limits.maxOperationNameLength);
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
    return this.finished;
  }

  /** The innermost open span: the most recently created span that has not ended. */
  activeSpan(): Span | undefined {
    return this.open[this.open.length - 1];
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
    if (!key) return;
    const map = (this.correlationMap ??= new Map());
    if (!value) map.delete(key);
    else if (map.has(key) || map.size < 3) map.set(key, value);
  }

  /**
   * Creates an Entry span (a request received). With an `extractable`, reads `sw8`,
   * `sw8-correlation` and `sw8-x`; an invalid sw8 silently starts a new trace.
   */
  createEntrySpan(operationName: string, parent?: Span | null, extractable?: Extractable | null): Span {
    const x = extractable ? this.host.extract(extractable) : undefined;
    if (x) {
      for (const [k, v] of x.correlation) this.setCorrelation(k, v);
      if (x.skipAnalysis) this.skip = true;
    }
    const sendTime = x?.sendTime;
    const span = this.create('Entry', operationName, parent, '', x?.ref, x?.sampled);
    if (span.isRecording) {
      this.firstEntry ??= span;
      if (sendTime !== undefined) {
        const latency = span.startTime - sendTime;
        if (latency >= 0) span.tag('transmission.latency', String(latency));
      }
    }
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
   * context has no recorded span to point at.
   */
  inject(span: Span, injectable: Injectable): void {
    const spanId = span.isRecording ? span.spanId : (this.activeSpan()?.spanId ?? -1);
    if (spanId < 0 || this.spans.length === 0) return;
    const sw8 = encodeSw8({
      sampled: this.isSampled,
      traceId: this.traceId,
      parentSegmentId: this.segmentId,
      parentSpanId: spanId,
      parentService: this.host.service,
      parentServiceInstance: this.host.serviceInstance,
      parentEndpoint: this.endpoint(),
      addressUsedAtClient: span.peer,
    });
    if (!sw8) {
      diag.once('warn', 'sw8-encode', 'an sw8 header could not be built (empty field or over 2 KB); not propagated');
      return;
    }
    try {
      injectable.inject(SW8, sw8);
      const corr = this.correlationMap && encodeCorrelation(this.correlationMap);
      if (corr) injectable.inject(SW8_CORRELATION, corr);
      if (this.skip || this.host.propagateSendTime)
        injectable.inject(SW8_X, encodeSw8x({ skipAnalysis: this.skip, sendTime: this.host.propagateSendTime ? this.now() : undefined }));
    } catch (err) {
      diag.warn('injecting propagation headers failed', err);
    }
  }

  /** Captures this context to continue it elsewhere with {@link continued}. */
  capture(): ContextSnapshot {
    return {
      traceId: this.traceId,
      segmentId: this.segmentId,
      spanId: this.activeSpan()?.spanId ?? Math.max(0, this.spans.length - 1),
      endpoint: this.endpoint(),
      sampled: this.isSampled,
      skipAnalysis: this.skip,
      correlation: new Map(this.correlationMap ?? EMPTY_MAP),
    };
  }

  /**
   * Continues a captured context: adopts its trace id and adds a CrossThread reference to
   * the active span, or to the next span created when none is open.
   */
  continued(snapshot: ContextSnapshot): void {
    if (!snapshot || typeof snapshot.traceId !== 'string' || this.finished) return;
    const ref: SegmentReference = {
      refType: 'CrossThread',
      traceId: snapshot.traceId,
      parentTraceSegmentId: snapshot.segmentId,
      parentSpanId: snapshot.spanId,
      parentService: this.host.service,
      parentServiceInstance: this.host.serviceInstance,
      parentEndpoint: snapshot.endpoint,
      networkAddressUsedAtPeer: '',
    };
    if (snapshot.skipAnalysis) this.skip = true;
    for (const [k, v] of snapshot.correlation ?? EMPTY_MAP) this.setCorrelation(k, v);
    const active = this.activeSpan();
    if (active) {
      active.addRef(ref);
    } else if (this.spans.length === 0) {
      this.pending = { ref, sampled: snapshot.sampled };
      if (this.endpointOverride === undefined && snapshot.endpoint) this.endpointOverride = snapshot.endpoint;
    }
  }

  /** @internal */
  now(): number {
    return this.host.now();
  }

  /** @internal */
  countDrop(kind: 'droppedTags' | 'droppedLogs' | 'truncatedValues'): void {
    if (this.host.stats[kind]++ === 0) diag.once('warn', kind, `span limits reached: ${kind} (see tracer.stats)`);
  }

  /** @internal Called by a span when it ends. */
  spanEnded(span: Span): void {
    const open = this.open;
    // Usually the innermost span ends first; search from the end.
    if (open[open.length - 1] === span) open.pop();
    else for (let i = open.length - 2; i >= 0; i--) {
      if (open[i] === span) {
        open.splice(i, 1);
        break;
      }
    }
    if (open.length === 0 && !this.finished) this.finish();
  }

  private endpoint(): string {
    return this.firstEntry?.operationName ?? this.endpointOverride ?? this.spans[0]?.operationName ?? '';
  }

  private create(
    type: SpanType,
    operationName: string,
    parent: Span | null | undefined,
    peer: string,
    ref: SegmentReference | undefined,
    upstream: boolean | undefined,
  ): Span {
    const now = this.host.now();
    let name = typeof operationName === 'string' && operationName ? operationName : 'unknown';
    if (name.length > this.limits.maxOperationNameLength) name = truncate(name, this.limits.maxOperationNameLength);
    if (this.finished) {
      diag.once('warn', 'finished-context', `span "${name}" created in a finished context: not recorded`);
      return noopSpan(type, name, peer, now);
    }
    if (this.spans.length >= this.limits.maxSpansPerSegment) {
      this.sizeLimited = true;
      if (this.host.stats.droppedSpans++ === 0)
        diag.once('warn', 'span-limit', `more than ${this.limits.maxSpansPerSegment} spans in a segment; extra spans are dropped`);
      return noopSpan(type, name, peer, now);
    }
    let parentId = -1;
    if (this.spans.length > 0) {
      if (parent && parent.owner === this) parentId = parent.spanId;
      else {
        if (parent && parent.isRecording) diag.debug('parent span belongs to another context; using the active span');
        // No open span and spans exist would mean the context is finished (handled above).
        parentId = this.activeSpan()?.spanId ?? 0;
      }
    }
    const span = new Span(this, this.spans.length, parentId, type, name, peer, now);
    if (this.spans.length === 0) {
      const pending = this.pending;
      if (ref) {
        this.traceId = ref.traceId;
        this.sampled = upstream;
      } else if (pending) {
        this.traceId = pending.ref.traceId;
        this.sampled = pending.sampled;
        span.addRef(pending.ref);
        this.pending = undefined;
      } else {
        this.sampled = this.host.sample(name);
      }
    }
    if (ref) span.addRef(ref);
    this.spans.push(span);
    this.open.push(span);
    return span;
  }

  private finish(): void {
    this.finished = true;
    const skip = this.skip;
    // An unsampled segment is only counted: skip converting its spans.
    const spans = this.isSampled ? this.spans.map((s) => s.toObject(skip)) : [];
    const segment: SegmentObject = {
      traceId: this.traceId,
      traceSegmentId: this.segmentId,
      spans,
      service: this.host.service,
      serviceInstance: this.host.serviceInstance,
      isSizeLimited: this.sizeLimited,
    };
    this.host.finish(segment, this.isSampled);
  }
}

const EMPTY_MAP: ReadonlyMap<string, string> = new Map();
