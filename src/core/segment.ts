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
  key: string;
  value: string;
}

/** `Log`: a time in epoch ms and its key/value data. */
export interface LogObject {
  time: number;
  data: KeyStringValuePair[];
}

/** `SegmentReference`: the link from an entry (or continued) span to its parent segment. */
export interface SegmentReference {
  refType: RefType;
  traceId: string;
  parentTraceSegmentId: string;
  parentSpanId: number;
  parentService: string;
  parentServiceInstance: string;
  parentEndpoint: string;
  networkAddressUsedAtPeer: string;
}

/** `SpanObject`. */
export interface SpanObject {
  spanId: number;
  parentSpanId: number;
  startTime: number;
  endTime: number;
  refs: SegmentReference[];
  operationName: string;
  peer: string;
  spanType: SpanType;
  spanLayer: SpanLayer;
  componentId: number;
  isError: boolean;
  tags: KeyStringValuePair[];
  logs: LogObject[];
  skipAnalysis: boolean;
}

/** `SegmentObject`: one process's part of a trace. */
export interface SegmentObject {
  traceId: string;
  traceSegmentId: string;
  spans: SpanObject[];
  service: string;
  serviceInstance: string;
  isSizeLimited: boolean;
}

/** Proto enum numbers, indexed by name. */
export const SPAN_TYPE_NUMBER: Record<SpanType, number> = { Entry: 0, Exit: 1, Local: 2 };
/** Proto enum numbers, indexed by name. */
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
/** Proto enum numbers, indexed by name. */
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
