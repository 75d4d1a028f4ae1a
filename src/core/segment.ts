// The segment in OAP's JSON form (the proto3 JSON mapping of Tracing.proto). This is
// what reporters receive, what InMemoryReporter keeps and what HTTP reporters post.

/** `SpanObject.spanType`. */
export type SpanType = 'Entry' | 'Exit' | 'Local';
/** `SpanObject.spanLayer`. */
export type SpanLayer =
  | 'Unknown'
  | 'Database'
  | 'RPCFramework'
  | 'Http'
  | 'MQ'
  | 'Cache'
  | 'FAAS'
  | 'GenAI';
/** `SegmentReference.refType`. */
export type RefType = 'CrossProcess' | 'CrossThread';

/** `KeyStringValuePair`. */
export interface KeyStringValuePair {
  /** The key. */
  key: string;
  /** The value. */
  value: string;
}

/** `Log`: a time in epoch ms and its key/value data. */
export interface LogObject {
  /** Epoch ms, whole. */
  time: number;
  /** The logged fields, in order. */
  data: KeyStringValuePair[];
}

/** `SegmentReference`: the link from an entry (or continued) span to its parent segment. */
export interface SegmentReference {
  /** `CrossProcess` (from an sw8 header) or `CrossThread` (from a captured snapshot). */
  refType: RefType;
  /** The parent's trace id (sw8 field 2). */
  traceId: string;
  /** The parent segment's id (sw8 field 3). */
  parentTraceSegmentId: string;
  /** The span in the parent segment that made the call (sw8 field 4). */
  parentSpanId: number;
  /** The parent's service (sw8 field 5). */
  parentService: string;
  /** The parent's service instance (sw8 field 6). */
  parentServiceInstance: string;
  /** The parent segment's first entry span name (sw8 field 7). */
  parentEndpoint: string;
  /** The address the caller used to reach this service (sw8 field 8); empty for CrossThread. */
  networkAddressUsedAtPeer: string;
}

/** `SpanObject`. */
export interface SpanObject {
  /** From 0 in creation order within the segment. */
  spanId: number;
  /** The parent span's id in the same segment; -1 for the first span. */
  parentSpanId: number;
  /** Epoch ms, whole. */
  startTime: number;
  /** Epoch ms, whole; never before `startTime`. */
  endTime: number;
  /** Links to parent segments (entry spans, continued work). */
  refs: SegmentReference[];
  /** The operation (for entry spans, OAP's endpoint) name; at most 150 characters. */
  operationName: string;
  /** The remote address of Exit (and, when known, Entry) spans. */
  peer: string;
  /** Entry, Exit or Local. */
  spanType: SpanType;
  /** The layer OAP groups the span under. */
  spanLayer: SpanLayer;
  /** OAP component id (component-libraries.yml). */
  componentId: number;
  /** True when the span failed. */
  isError: boolean;
  /** Key/value tags. */
  tags: KeyStringValuePair[];
  /** Timestamped key/value logs (errors among them). */
  logs: LogObject[];
  /** True: OAP stores the span but derives no metrics or topology from it. */
  skipAnalysis: boolean;
}

/** `SegmentObject`: one process's part of a trace. */
export interface SegmentObject {
  /** The trace this segment belongs to. */
  traceId: string;
  /** This segment's unique id (OAP's storage key). */
  traceSegmentId: string;
  /** Every recorded span, in creation order. */
  spans: SpanObject[];
  /** The reporting service. */
  service: string;
  /** The reporting service instance. */
  serviceInstance: string;
  /** True when spans beyond `maxSpansPerSegment` were dropped. */
  isSizeLimited: boolean;
}

/** @internal Proto enum numbers, indexed by name (the encoders' tables). */
export const SPAN_TYPE_NUMBER: Record<SpanType, number> = { Entry: 0, Exit: 1, Local: 2 };
/** @internal Proto enum numbers, indexed by name (the encoders' tables). */
export const SPAN_LAYER_NUMBER: Record<SpanLayer, number> = {
  Unknown: 0,
  Database: 1,
  RPCFramework: 2,
  Http: 3,
  MQ: 4,
  Cache: 5,
  FAAS: 6,
  GenAI: 7,
};
/** @internal Proto enum numbers, indexed by name (the encoders' tables). */
export const REF_TYPE_NUMBER: Record<RefType, number> = { CrossProcess: 0, CrossThread: 1 };

/** Component ids from OAP's component-libraries.yml that this agent uses. */
export const ComponentId = {
  Unknown: 0,
  /** Outgoing HTTP from Node (http, https, fetch). */
  HttpClient: 2,
  /** Incoming HTTP in Node. */
  HttpServer: 49,
  Express: 4002,
  Koa: 4004,
  JavaScript: 10000,
  /** Browser XHR and fetch. */
  Ajax: 10001,
} as const;
