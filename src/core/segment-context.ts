import type { Injectable } from './carrier.js';
import { diag } from './diag.js';
import type { Limits, TracerStats } from './limits.js';
import { truncate } from './limits.js';
import type { SegmentObject, SpanType } from './segment.js';
import { Span } from './span.js';
import { SW8, sw8Value } from './sw8.js';

/**
 * What a context needs from its tracer. Internal: not part of the stable API.
 */
export interface ContextHost {
  readonly service: string;
  readonly serviceInstance: string;
  readonly limits: Limits;
  readonly stats: TracerStats;
  /** Send `sw8-x` with the client send time on every injection (server contexts only). */
  readonly propagateSendTime?: boolean;
  now(): number;
  nextId(): string;
  sample(operationName: string): boolean;
  finish(segment: SegmentObject, sampled: boolean): void;
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
 * One segment of Exit and Local spans: what a page records. {@link TracingContext} adds what
 * only a server needs (entry spans, correlation, `sw8-x`, cross-thread continuation); the
 * browser's tracer makes these, so the script tag does not carry that code. Never throws.
 */
// A SpanOwner (checked where it passes itself to its spans), not declared one: the owner
// members are internal, and the published types, which leave them out, must still hold.
export class SegmentContext {
  /** The trace id: generated, or adopted (see {@link TracingContext}). */
  traceId: string;
  /** This segment's id (`traceSegmentId`), unique per context; sw8 field 3 of what it sends. */
  readonly segmentId: string;
  /** The per-segment limits of its tracer. */
  readonly limits: Limits;
  /** @internal Every recorded span, in creation order. */
  protected recorded: Span[] = [];
  /** @internal How many recorded spans are still open (one array fewer per segment than a list of them). */
  protected openCount = 0;
  /** @internal */
  protected done = false;
  /** @internal */
  protected sampled: boolean | undefined;
  /** @internal Report every span with `skipAnalysis`. */
  protected skip = false;
  /** @internal */
  protected cut = false;
  /** @internal sw8 field 7 when no entry span names it. */
  protected endpointName: string | undefined;

  /** @internal Use `tracer.createTracingContext()`. */
  constructor(
    protected readonly host: ContextHost,
    options?: TracingContextOptions,
  ) {
    this.limits = host.limits;
    this.traceId = host.nextId();
    this.segmentId = host.nextId();
    if (options?.endpoint) this.endpointName = truncate(String(options.endpoint), host.limits.maxOperationNameLength);
  }

  /** True when this segment will be reported (decided at its first span; upstream decisions win). */
  get isSampled(): boolean {
    return this.sampled !== false;
  }

  /** True once the last open span has ended and the segment was handed to the reporter. */
  get isFinished(): boolean {
    return this.done;
  }

  /** The innermost open span: the most recently created span that has not ended. */
  activeSpan(): Span | undefined {
    const recorded = this.recorded;
    // Usually the last span; spans that ended since are skipped.
    for (let i = recorded.length - 1; i >= 0 && this.openCount > 0; i--) if (!recorded[i]!.ended) return recorded[i];
    return undefined;
  }

  /** Creates a Local span (in-process work). */
  createLocalSpan(operationName: string, parent?: Span | null): Span {
    return this.create('Local', operationName, parent, '');
  }

  /**
   * Creates an Exit span (a request sent to `peer`) and, with an `injectable`, writes `sw8`
   * (plus, in a {@link TracingContext}, `sw8-correlation` and `sw8-x` when they carry something).
   * `peer` is also sw8 field 8, byte for byte. An empty peer is a misuse: the span is created,
   * nothing is injected.
   */
  createExitSpan(operationName: string, parent: Span | null | undefined, peer: string, injectable?: Injectable | null): Span {
    const p = typeof peer === 'string' ? peer : '';
    if (!p) diag.warnOnce('exit span with no peer: not propagated');
    const span = this.create('Exit', operationName, parent, p);
    if (injectable && p) this.inject(span, injectable);
    return span;
  }

  /**
   * Writes the propagation headers for `span` (normally an Exit span) into `injectable`.
   * Existing values are replaced through `injectable.inject`. Does nothing when the
   * context has no recorded span to point at. A span of another context (or none) points
   * at this context's active span. Returns true when sw8 was written.
   */
  inject(span: Span, injectable: Injectable): boolean | void {
    try {
      const spanId = span?.owner === this ? span.spanId : (this.activeSpan()?.spanId ?? -1);
      if (spanId < 0 || !injectable) return;
      // A missing span gives no peer, and sw8Value refuses the header.
      const sw8 = sw8Value(this.isSampled, spanId, this.traceId, this.segmentId, this.host.service, this.host.serviceInstance, this.endpoint(), span?.peer as string);
      if (!sw8) return diag.warnOnce('sw8 not built (empty field or > 2 KB)');
      injectable.inject(SW8, sw8);
      // True: sw8 went out (a TracingContext then adds its headers).
      return (span.propagated = true);
    } catch (err) {
      diag.warn('injecting sw8 failed', err);
    }
  }

  /** @internal */
  now(): number {
    return this.host.now();
  }

  /** @internal */
  countDrop(kind: 'droppedTags' | 'droppedLogs' | 'truncatedValues'): void {
    if (this.host.stats[kind]++ === 0) diag.warnOnce(`span limit: ${kind} (tracer.stats)`);
  }

  /** @internal Called by a span when it ends. */
  spanEnded(_span: Span): void {
    // Only this context's recorded spans call this, once each (Span.end refuses a second end).
    if (--this.openCount <= 0 && !this.done) this.finish();
  }

  /** @internal sw8 field 7. */
  protected endpoint(): string {
    return this.endpointName ?? this.recorded[0]?.operationName ?? '';
  }

  /** @internal Decides about the segment at its first span. */
  protected first(_span: Span, name: string): void {
    this.sampled = this.host.sample(name);
  }

  /** @internal */
  protected create(type: SpanType, operationName: string, parent: Span | null | undefined, peer: string): Span {
    const now = this.host.now();
    const name = truncate(typeof operationName === 'string' && operationName ? operationName : 'unknown', this.limits.maxOperationNameLength);
    const n = this.recorded.length;
    if (this.done || n >= this.limits.maxSpansPerSegment) {
      if (this.done) diag.warnOnce('span of a finished context: not recorded');
      else {
        this.cut = true;
        if (this.host.stats.droppedSpans++ === 0) diag.warnOnce('spans over maxSpansPerSegment dropped');
      }
      // A span that records nothing: no owner, id -1.
      return new Span(undefined, -1, -1, type, name, peer, now);
    }
    let parentId = -1;
    if (n > 0) {
      if (parent?.owner === this) parentId = parent.spanId;
      else {
        if (parent?.isRecording) diag.debug('parent of another context: active span used');
        // No open span and spans exist would mean the context is finished (handled above).
        parentId = this.activeSpan()?.spanId ?? 0;
      }
    }
    const span = new Span(this, n, parentId, type, name, peer, now);
    if (n === 0) this.first(span, name);
    this.recorded.push(span);
    this.openCount++;
    return span;
  }

  /** @internal */
  protected finish(): void {
    this.done = true;
    const skip = this.skip;
    // An unsampled segment is only counted: skip converting its spans.
    const spans = this.isSampled ? this.recorded.map((s) => s.toObject(skip)) : [];
    const segment: SegmentObject = {
      traceId: this.traceId,
      traceSegmentId: this.segmentId,
      spans,
      service: this.host.service,
      serviceInstance: this.host.serviceInstance,
      isSizeLimited: this.cut,
    };
    this.host.finish(segment, this.isSampled);
  }
}
