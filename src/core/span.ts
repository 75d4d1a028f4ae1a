import { diag } from './diag.js';
import type { Limits } from './limits.js';
import { truncate } from './limits.js';
import { wholeMs } from './ids.js';
import type { KeyStringValuePair, LogObject, SegmentReference, SpanLayer, SpanObject, SpanType } from './segment.js';
import { SPAN_LAYER_NUMBER } from './segment.js';
import type { Log, Tag } from './tag.js';

// The logs and refs of a span that has none: two fewer allocations per span. Frozen, so a
// bug that pushes to it fails loudly instead of sharing data between spans.
const NONE = Object.freeze([]) as unknown as never[];

/**
 * What a span needs from the context that made it. Internal: not part of the stable API.
 */
export interface SpanOwner {
  readonly limits: Limits;
  /** True once the segment was handed to the reporter: from then on its spans no longer change. */
  readonly isFinished: boolean;
  now(): number;
  spanEnded(span: Span): void;
  countDrop(kind: 'droppedTags' | 'droppedLogs' | 'truncatedValues'): void;
}

/**
 * `v` as tag or log text. Never throws: `String()` fails on objects without a usable
 * `toString`/`valueOf` (`Object.create(null)`, e.g. `querystring.parse` output) and on
 * ones whose conversion throws; those are recorded as `[object]`.
 */
function toText(v: unknown): string {
  try {
    return v === undefined || v === null ? '' : String(v);
  } catch {
    return '[object]';
  }
}

/** An explicit time, or the clock's when it is absent or unusable (see {@link wholeMs}). */
function timeOr(owner: SpanOwner, t: unknown): number {
  const ms = wholeMs(t);
  if (ms === undefined && t !== undefined) diag.warnOnce('time not a finite number of epoch ms >= 0; clock used');
  return ms ?? owner.now();
}

/**
 * One unit of work: an Entry (a request received), Exit (a request sent) or Local span.
 * Every method is safe to call at any time: misuse is reported to diagnostics and ignored.
 * Once its segment was reported a span is frozen: changes are ignored (one diagnostic),
 * so what the reporter holds never changes after the fact.
 */
export class Span {
  /** Unique in its segment, from 0 in creation order; -1 for a span that records nothing. */
  readonly spanId: number;
  /** The parent's span id in the same segment; -1 for the segment's first span. */
  readonly parentSpanId: number;
  /** `'Entry'` (a request received), `'Exit'` (a request sent) or `'Local'`; fixed at creation. */
  readonly type: SpanType;
  /** Epoch ms. */
  readonly startTime: number;
  /** OAP's span layer (`SpanObject.spanLayer`), `'Unknown'` until {@link setLayer}. */
  layer: SpanLayer = 'Unknown';
  /** OAP's component id (component-libraries.yml), 0 until {@link setComponent}. */
  componentId = 0;
  /** True once {@link error} was called: OAP counts the span (and its segment) as failed. */
  isError = false;
  /** @internal */
  readonly tags: KeyStringValuePair[] = [];
  /** @internal Shared empty (frozen) until the first log: most spans never log. */
  logs: LogObject[] = NONE;
  /** @internal Absent until the first reference: most spans (and every page span) have none. */
  refs?: SegmentReference[];
  /** @internal */
  readonly owner: SpanOwner | undefined;
  /** @internal True once an sw8 header carried this span's peer: the peer is fixed from then on. */
  propagated = false;
  // Behind accessors: a plain write would skip the checks the setters make, and writing
  // endTime would make end() look like a second end, so the segment was never reported.
  private endedAt = 0;
  private opName: string;
  private peerAddr: string;

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
    this.opName = operationName;
    this.peerAddr = peer;
    this.startTime = startTime;
  }

  /** Epoch ms; 0 while the span is open. Read-only: {@link end} sets it. */
  get endTime(): number {
    return this.endedAt;
  }
  // A no-op, typed `never` so TypeScript refuses the assignment: without a setter a write
  // would throw in strict-mode code, and the agent must never throw into the application.
  set endTime(_: never) {
    diag.warnOnce('endTime is read-only: use end(time)');
  }

  /**
   * The operation name (OAP's endpoint for Entry spans). Assigning it is
   * {@link setOperationName}: cut to the limit, empty or non-string names ignored.
   */
  get operationName(): string {
    return this.opName;
  }
  set operationName(name: string) {
    this.setOperationName(name);
  }

  /**
   * The remote address; for Exit spans also sw8 field 8, byte for byte. Assigning a
   * non-string, or a new peer once a header carrying it was injected, is ignored.
   */
  get peer(): string {
    return this.peerAddr;
  }
  set peer(peer: string) {
    if (!this.live()) return;
    if (typeof peer === 'string' && !this.propagated) this.peerAddr = peer;
    else diag.warnOnce('peer not a string, or already in sw8; kept');
  }

  /** False for a span that records nothing (sampling-independent: limits, finished context). */
  get isRecording(): boolean {
    return !!this.owner;
  }

  /** True once {@link end} has been called. */
  get ended(): boolean {
    return !!this.endedAt;
  }

  /** Adds a tag. Values longer than the limit are cut; tags beyond the per-span limit are dropped. */
  tag(tag: Tag): this;
  tag(key: string, value: string | number | boolean): this;
  tag(tagOrKey: Tag | string, value?: string | number | boolean): this {
    const owner = this.live();
    if (!owner) return this;
    // Any object, not only `instanceof Tag`: a Tag from the package's other copy (ESM vs
    // CommonJS) or a plain `{ key, value }` is a tag too.
    const isTag = tagOrKey instanceof Object;
    const key: unknown = isTag ? tagOrKey.key : tagOrKey;
    if (!key || typeof key !== 'string') return this;
    let v = toText(isTag ? tagOrKey.value : value);
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

  /** Adds a log: a {@link Log}, or fields recorded at the current time. Entries that are not pairs are skipped. */
  log(log: Log | Record<string, string> | Array<[string, string]>): this {
    const owner = this.live();
    if (!owner) return this;
    if (this.logs.length >= owner.limits.maxLogsPerSpan) {
      owner.countDrop('droppedLogs');
      return this;
    }
    // By shape, not `instanceof Log`: a Log from the package's other copy counts too. Fields
    // as a record or pairs are read the way `new Log()` reads them (without making one).
    const given = log as Log | undefined;
    const isLog = Array.isArray(given?.fields);
    const max = owner.limits.maxLogValueLength;
    const data: KeyStringValuePair[] = [];
    try {
      for (const pair of isLog ? given!.fields : Array.isArray(log) ? log : Object.entries(log as object)) {
        if (!Array.isArray(pair)) continue;
        let value = toText(pair[1]);
        if (value.length > max) {
          value = truncate(value, max);
          owner.countDrop('truncatedValues');
        }
        data.push({ key: toText(pair[0]), value });
      }
    } catch {
      // Fields that cannot be read (null, a Log whose fields were replaced by something not
      // iterable, a throwing Proxy): keep what was read.
    }
    if (this.logs === NONE) this.logs = [];
    this.logs.push({ time: timeOr(owner, isLog ? given!.time : undefined), data });
    return this;
  }

  /**
   * Marks the span as failed and, when given an error, logs it the way SkyWalking's UI
   * shows errors: `event`, `error.kind`, `message` and `stack`.
   */
  error(err?: unknown): this {
    if (!this.live()) return this;
    this.isError = true;
    if (err === undefined) return this;
    let fields: Array<[string, string]>;
    try {
      // Object(): primitives become wrappers without name, message or stack.
      const e = Object(err) as { name?: unknown; message?: unknown; stack?: unknown };
      fields = [
        ['event', 'error'],
        ['error.kind', toText(e.name ?? typeof err)],
        ['message', toText(e.message ?? err)],
      ];
      if (typeof e.stack === 'string') fields.push(['stack', e.stack]);
    } catch {
      // An error whose name, message or stack getter throws.
      fields = [['event', 'error']];
    }
    return this.log(fields);
  }

  /** Sets the component id (OAP's component-libraries.yml): an integer from 0 to 2^31-1 (the field is an int32). */
  setComponent(id: number): this {
    // `| 0` keeps an int32 unchanged and changes anything else (fractions, NaN, > 2^31-1).
    if (this.live() && (id | 0) === id && id >= 0) this.componentId = id;
    else if (this.owner && !this.owner.isFinished) diag.warnOnce('setComponent: not an int32 >= 0; ignored');
    return this;
  }

  /** Sets the span layer; a name that is not a {@link SpanLayer} is ignored (OAP's JSON parser would reject the batch). */
  setLayer(layer: SpanLayer): this {
    // >= 0 is false for undefined and for inherited names such as 'toString'.
    if (this.live() && SPAN_LAYER_NUMBER[layer]! >= 0) this.layer = layer;
    return this;
  }

  /** Renames the span, e.g. to a route template once the router has matched. */
  setOperationName(name: string): this {
    const owner = this.live();
    if (owner && typeof name === 'string' && name) this.opName = truncate(name, owner.limits.maxOperationNameLength);
    return this;
  }

  /**
   * Ends the span. The segment is reported when its last open span ends. Ending twice is
   * ignored (with a diagnostic); an end time before the start is raised to the start, and
   * one that is not a finite number ≥ 0 is replaced by the clock's time.
   */
  end(endTime?: number): void {
    const owner = this.owner;
    if (!owner) return;
    if (this.endedAt) {
      diag.debug(`span "${this.opName}" ended twice; ignored`);
      return;
    }
    let t = timeOr(owner, endTime);
    if (t < this.startTime) t = this.startTime;
    // 0 marks an open span, so a span ending at the epoch is recorded 1 ms later.
    this.endedAt = t || 1;
    owner.spanEnded(this);
  }

  /** @internal The span as it goes on the wire. */
  toObject(skipAnalysis: boolean): SpanObject {
    return {
      spanId: this.spanId,
      parentSpanId: this.parentSpanId,
      startTime: this.startTime,
      endTime: this.endedAt,
      refs: this.refs ?? NONE,
      operationName: this.opName,
      peer: this.peerAddr,
      spanType: this.type,
      spanLayer: this.layer,
      componentId: this.componentId,
      isError: this.isError,
      tags: this.tags,
      logs: this.logs,
      skipAnalysis,
    };
  }

  /**
   * The owner while the span may still change: undefined for a span that records nothing,
   * and (with a one-time diagnostic) once its segment was reported. One property read on
   * the hot path.
   */
  private live(): SpanOwner | undefined {
    const owner = this.owner;
    if (!owner?.isFinished) return owner;
    diag.warnOnce('span changed after its segment was reported; ignored');
    return undefined;
  }
}

/**
 * @internal Adds a segment reference to `span` (at most 500, the Java agent's limit). A
 * function, not a method: only server contexts make references, so the browser bundle
 * leaves it out.
 */
export function addRef(span: Span, ref: SegmentReference): void {
  const refs = (span.refs ??= []);
  if (refs.length < 500) refs.push(ref);
}
