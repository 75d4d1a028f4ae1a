import { diag } from './diag.js';
import type { Limits } from './limits.js';
import { truncate } from './limits.js';
import type { KeyStringValuePair, LogObject, SegmentReference, SpanLayer, SpanObject, SpanType } from './segment.js';
import { Log, Tag } from './tag.js';

// The logs and refs of a span that has none: two fewer allocations per span. Frozen, so a
// bug that pushes to it fails loudly instead of sharing data between spans.
const NONE = Object.freeze([]) as unknown as never[];

/**
 * What a span needs from the context that made it. Internal: not part of the stable API.
 */
export interface SpanOwner {
  readonly limits: Limits;
  now(): number;
  spanEnded(span: Span): void;
  countDrop(kind: 'droppedTags' | 'droppedLogs' | 'truncatedValues'): void;
}

/**
 * One unit of work: an Entry (a request received), Exit (a request sent) or Local span.
 * Every method is safe to call at any time: misuse is reported to diagnostics and ignored.
 */
export class Span {
  /** Unique in its segment, from 0 in creation order; -1 for a span that records nothing. */
  readonly spanId: number;
  /** The parent's span id in the same segment; -1 for the segment's first span. */
  readonly parentSpanId: number;
  readonly type: SpanType;
  /** Epoch ms. */
  readonly startTime: number;
  /** Epoch ms; 0 while the span is open. */
  endTime = 0;
  operationName: string;
  /** The remote address; for Exit spans also sw8 field 8. */
  peer: string;
  layer: SpanLayer = 'Unknown';
  componentId = 0;
  isError = false;
  /** @internal */
  readonly tags: KeyStringValuePair[] = [];
  /** @internal Shared empty (frozen) until the first log: most spans never log. */
  logs: LogObject[] = NONE;
  /** @internal Shared empty (frozen) until the first reference: most spans have none. */
  refs: SegmentReference[] = NONE;
  /** @internal */
  readonly owner: SpanOwner | undefined;

  /** @internal */
  constructor(
    owner: SpanOwner | undefined,
    spanId: number,
    parentSpanId: number,
    type: SpanType,
    operationName: string,
    peer: string,
    startTime: number,
  ) {
    this.owner = owner;
    this.spanId = spanId;
    this.parentSpanId = parentSpanId;
    this.type = type;
    this.operationName = operationName;
    this.peer = peer;
    this.startTime = startTime;
  }

  /** False for a span that records nothing (sampling-independent: limits, finished context). */
  get isRecording(): boolean {
    return this.owner !== undefined;
  }

  /** True once {@link end} has been called. */
  get ended(): boolean {
    return this.endTime !== 0;
  }

  /** Adds a tag. Values longer than the limit are cut; tags beyond the per-span limit are dropped. */
  tag(tag: Tag): this;
  tag(key: string, value: string | number | boolean): this;
  tag(tagOrKey: Tag | string, value?: string | number | boolean): this {
    const owner = this.owner;
    if (!owner) return this;
    let key: string;
    let v: string;
    if (tagOrKey instanceof Tag) {
      key = tagOrKey.key;
      v = tagOrKey.value;
    } else {
      key = tagOrKey;
      v = value === undefined || value === null ? '' : String(value);
    }
    if (typeof key !== 'string' || key === '') return this;
    if (typeof v !== 'string') v = String(v);
    if (this.tags.length >= owner.limits.maxTagsPerSpan) {
      owner.countDrop('droppedTags');
      return this;
    }
    if (v.length > owner.limits.maxTagValueLength) {
      v = truncate(v, owner.limits.maxTagValueLength);
      owner.countDrop('truncatedValues');
    }
    this.tags.push({ key, value: v });
    return this;
  }

  /** Adds a log: a {@link Log}, or fields recorded at the current time. */
  log(log: Log | Record<string, string> | Array<[string, string]>): this {
    const owner = this.owner;
    if (!owner) return this;
    if (this.logs.length >= owner.limits.maxLogsPerSpan) {
      owner.countDrop('droppedLogs');
      return this;
    }
    let entry: Log;
    try {
      entry = log instanceof Log ? log : new Log(log);
    } catch {
      // Not an object or an array of pairs: nothing to record.
      return this;
    }
    const max = owner.limits.maxLogValueLength;
    const data: KeyStringValuePair[] = [];
    for (const pair of entry.fields) {
      const key = String(pair[0]);
      let value = String(pair[1]);
      if (value.length > max) {
        value = truncate(value, max);
        owner.countDrop('truncatedValues');
      }
      data.push({ key, value });
    }
    if (this.logs === NONE) this.logs = [];
    this.logs.push({ time: entry.time ?? owner.now(), data });
    return this;
  }

  /**
   * Marks the span as failed and, when given an error, logs it the way SkyWalking's UI
   * shows errors: `event`, `error.kind`, `message` and `stack`.
   */
  error(err?: unknown): this {
    if (!this.owner) return this;
    this.isError = true;
    if (err === undefined) return this;
    let fields: Array<[string, string]>;
    try {
      const e = (typeof err === 'object' && err !== null ? err : {}) as { name?: unknown; message?: unknown; stack?: unknown };
      fields = [
        ['event', 'error'],
        ['error.kind', String(e.name ?? typeof err)],
        ['message', String(e.message ?? err)],
      ];
      if (typeof e.stack === 'string') fields.push(['stack', e.stack]);
    } catch {
      // An error whose name or message cannot be turned into text.
      fields = [['event', 'error']];
    }
    return this.log(fields);
  }

  /** Sets the component id (OAP's component-libraries.yml). */
  setComponent(id: number): this {
    if (this.owner && Number.isInteger(id) && id >= 0) this.componentId = id;
    return this;
  }

  /** Sets the span layer. */
  setLayer(layer: SpanLayer): this {
    if (this.owner) this.layer = layer;
    return this;
  }

  /** Renames the span, e.g. to a route template once the router has matched. */
  setOperationName(name: string): this {
    if (this.owner && typeof name === 'string' && name) this.operationName = truncate(name, this.owner.limits.maxOperationNameLength);
    return this;
  }

  /**
   * Ends the span. The segment is reported when its last open span ends. Ending twice is
   * ignored (with a diagnostic); an end time before the start is raised to the start.
   */
  end(endTime?: number): void {
    const owner = this.owner;
    if (!owner) return;
    if (this.endTime !== 0) {
      diag.debug(`span "${this.operationName}" ended twice; ignored`);
      return;
    }
    let t = typeof endTime === 'number' && Number.isFinite(endTime) ? endTime : owner.now();
    if (t < this.startTime) t = this.startTime;
    // 0 marks an open span, so a span ending at the epoch is recorded 1 ms later.
    this.endTime = t || 1;
    owner.spanEnded(this);
  }

  /** @internal Adds a segment reference (at most 500, the Java agent's limit). */
  addRef(ref: SegmentReference): void {
    if (this.refs === NONE) this.refs = [];
    if (this.refs.length < 500) this.refs.push(ref);
  }

  /** @internal The span as it goes on the wire. */
  toObject(skipAnalysis: boolean): SpanObject {
    return {
      spanId: this.spanId,
      parentSpanId: this.parentSpanId,
      startTime: this.startTime,
      endTime: this.endTime,
      refs: this.refs,
      operationName: this.operationName,
      peer: this.peer,
      spanType: this.type,
      spanLayer: this.layer,
      componentId: this.componentId,
      isError: this.isError,
      tags: this.tags,
      logs: this.logs,
      skipAnalysis,
    };
  }
}

/** @internal A span that records nothing, for limits and finished contexts. */
export function noopSpan(type: SpanType, operationName: string, peer: string, now: number): Span {
  return new Span(undefined, -1, -1, type, operationName, peer, now);
}
