import type { Extractable, Injectable } from './carrier.js';
import { diag } from './diag.js';
import { truncate } from './limits.js';
import type { SegmentReference } from './segment.js';
import { addRef, type Span } from './span.js';
import type { Extracted } from './extract.js';
import { MAX_ID_LENGTH } from './ids.js';
import { SegmentContext, type ContextHost } from './segment-context.js';
import { encodeCorrelation, encodeSw8x, SW8_CORRELATION, SW8_X } from './sw8.js';

export type { ContextHost, TracingContextOptions } from './segment-context.js';

/** A tracer that reads propagation headers. Internal: not part of the stable API. */
export interface EntryHost extends ContextHost {
  /** Reads propagation headers; a tracer that never receives requests may return undefined. */
  extract(carrier: Extractable): Extracted | undefined;
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

/**
 * One segment: the spans a process records for one trace. Create spans, end them; the
 * segment is reported when its last open span ends. Never throws.
 */
export class TracingContext extends SegmentContext {
  // The span, not its name: a router renaming it (`GET:/users/:id`) renames the endpoint
  // sent in sw8 field 7 too, as Java's primary endpoint does.
  private firstEntry: Span | undefined;
  private pendingRef: { ref: SegmentReference; sampled: boolean } | undefined;
  // What the entry span being created read from its caller, for first().
  private upstream: Extracted | undefined;
  private correlationMap: Map<string, string> | undefined;
  // True once the trace id came from upstream or left this context (an injected header,
  // a capture): from then on continued() no longer adopts a snapshot's trace id.
  private traceFixed = false;

  /** True when every span is reported with `skipAnalysis` (sw8-x tracing mode 1). */
  get skipAnalysis(): boolean {
    return this.skip;
  }

  /** Turns `skipAnalysis` on for this segment and everything it calls. */
  setSkipAnalysis(on = true): void {
    this.skip = on;
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
    const x = extractable ? (this.host as EntryHost).extract?.(extractable) : undefined;
    this.upstream = x;
    const span = this.create('Entry', operationName, parent, '');
    this.upstream = undefined;
    if (span.isRecording) {
      if (x) addRef(span, x.ref);
      this.firstEntry ??= span;
    }
    x?.enter(this, span);
    return span;
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
    if (this.done) return;
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
        parentService: this.host.service,
        parentServiceInstance: this.host.serviceInstance,
        parentEndpoint: s.endpoint,
        networkAddressUsedAtPeer: '',
      };
      if (s.skipAnalysis === true) this.skip = true;
      const c: unknown = s.correlation;
      // A Map, or the plain object a JSON round trip makes of one (or of the caller's own).
      if (c && typeof c === 'object') for (const [k, v] of c instanceof Map ? c : Object.entries(c)) this.setCorrelation(k, v);
      const active = this.activeSpan();
      if (active) {
        addRef(active, ref);
        if (!this.traceFixed) this.traceId = s.traceId;
        this.traceFixed = true;
      } else {
        // No open span in an unfinished context: it has no spans yet.
        this.pendingRef = { ref, sampled: s.sampled !== false };
        if (this.endpointName === undefined && s.endpoint) this.endpointName = truncate(s.endpoint, this.limits.maxOperationNameLength);
      }
    } catch (err) {
      diag.warn('continued(): the snapshot could not be read; ignored', err);
    }
  }

  /** Correlation and sw8-x go with sw8 (see {@link SegmentContext.inject}). */
  override inject(span: Span, injectable: Injectable): boolean | void {
    if (!super.inject(span, injectable)) return;
    try {
      this.traceFixed = true;
      const corr = this.correlationMap && encodeCorrelation(this.correlationMap);
      if (corr) injectable.inject(SW8_CORRELATION, corr);
      const sendTime = this.host.propagateSendTime;
      if (this.skip || sendTime) injectable.inject(SW8_X, encodeSw8x({ skipAnalysis: this.skip, sendTime: sendTime ? this.now() : undefined }));
    } catch (err) {
      diag.warn('injecting sw8 failed', err);
    }
    return true;
  }

  /** @internal */
  protected override endpoint(): string {
    return this.firstEntry?.operationName ?? super.endpoint();
  }

  /** @internal The trace id and sampling come from upstream or a snapshot when there is one. */
  protected override first(span: Span, name: string): void {
    const x = this.upstream;
    const pending = this.pendingRef;
    if (x || pending) this.traceFixed = true;
    if (x) {
      this.traceId = x.ref.traceId;
      this.sampled = x.sampled;
    } else if (pending) {
      this.traceId = pending.ref.traceId;
      this.sampled = pending.sampled;
      addRef(span, pending.ref);
      this.pendingRef = undefined;
    } else super.first(span, name);
  }
}

const EMPTY_MAP: ReadonlyMap<string, string> = new Map();
