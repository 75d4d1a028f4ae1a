// Size limits for server-side receivers (collector, ingest handler), and OAP's own limits
// that validation compares against (protocol.md §6.2, §8.10).

/** Largest request body the collector accepts by default (4 MiB). */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** What OAP enforces or truncates at: ids are stored in 150-char columns, names are cut. */
export const OAP_LIMITS = {
  /** `trace_id` / `segment_id` column length. */
  idLength: 150,
  /** `SW_SERVICE_NAME_MAX_LENGTH`. */
  serviceNameLength: 70,
  /** Instance name maximum. */
  instanceNameLength: 70,
  /** Endpoint (entry span operation name) maximum. */
  endpointNameLength: 150,
  /** Default gRPC message limit. */
  grpcMessageBytes: 50 * 1024 * 1024,
  /** Default HTTP body limit of OAP's REST receivers. */
  httpBodyBytes: 10 * 1024 * 1024,
} as const;

/**
 * What one report (request) may hold. Each bound keeps the work a receiver does with a
 * report (validation, analysis, storage) proportional to limits rather than to whatever a
 * client sends; a report over any of them is refused whole (answer 413) by a scan that
 * materialises nothing.
 */
export interface ReportLimits {
  /** Most segments in one request. */
  maxSegmentsPerRequest: number;
  /** Most spans in one segment (the Java agent stops recording at 300). */
  maxSpansPerSegment: number;
  /** Most references per span (agents send one; a batch consumer a few dozen at most). */
  maxRefsPerSpan: number;
  /** Most tags per span (this package's agents keep 100). */
  maxTagsPerSpan: number;
  /** Most logs per span (this package's agents keep 300). */
  maxLogsPerSpan: number;
  /** Most key/value fields in one span log. */
  maxFieldsPerLog: number;
  /**
   * Longest name or id, in UTF-16 units: trace, segment and span-reference fields, service and
   * instance names, operation names, peers, tag and log keys, instance property keys.
   */
  maxNameLength: number;
  /** Longest tag, log or instance property value (SQL statements, stacks), in UTF-16 units. */
  maxValueLength: number;
  /** Most properties in one `reportInstanceProperties`. */
  maxInstanceProperties: number;
}

/** Defaults of {@link ReportLimits}: generous enough for any agent's batch. */
export const DEFAULT_REPORT_LIMITS: Readonly<ReportLimits> = {
  maxSegmentsPerRequest: 5000,
  maxSpansPerSegment: 10_000,
  maxRefsPerSpan: 32,
  maxTagsPerSpan: 1000,
  maxLogsPerSpan: 1000,
  maxFieldsPerLog: 100,
  maxNameLength: 4096,
  maxValueLength: 65_536,
  maxInstanceProperties: 256,
};

/** The parts of a segment {@link checkReportLimits} looks at (core's `SegmentObject` fits). */
export interface LimitedSegment {
  traceId: string;
  traceSegmentId: string;
  service: string;
  serviceInstance: string;
  spans: ReadonlyArray<{
    operationName: string;
    peer: string;
    refs: ReadonlyArray<Readonly<Record<'traceId' | 'parentTraceSegmentId' | 'parentService' | 'parentServiceInstance' | 'parentEndpoint' | 'networkAddressUsedAtPeer', string>>>;
    tags: ReadonlyArray<{ key: string; value: string }>;
    logs: ReadonlyArray<{ data: ReadonlyArray<{ key: string; value: string }> }>;
  }>;
}

const SEGMENT_NAMES = ['traceId', 'traceSegmentId', 'service', 'serviceInstance'] as const;
const REF_NAMES = ['traceId', 'parentTraceSegmentId', 'parentService', 'parentServiceInstance', 'parentEndpoint', 'networkAddressUsedAtPeer'] as const;

function resolve(limits: Partial<ReportLimits>): ReportLimits {
  return { ...DEFAULT_REPORT_LIMITS, ...limits };
}

const tooLong = (where: string, s: string, max: number) => (s.length > max ? `${where} has ${s.length} characters, over the limit of ${max}` : undefined);

/**
 * Checks a decoded report against {@link ReportLimits}; returns why it is refused (answer 413,
 * naming the segment, span and field), or undefined when it fits. One pass over the report,
 * stopping at the first excess.
 */
export function checkReportLimits(segments: ReadonlyArray<LimitedSegment>, limits: Partial<ReportLimits> = {}): string | undefined {
  const l = resolve(limits);
  if (segments.length > l.maxSegmentsPerRequest) return `${segments.length} segments in one request, over the limit of ${l.maxSegmentsPerRequest}`;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const n = seg.spans.length;
    if (n > l.maxSpansPerSegment) return `segment ${i} has ${n} spans, over the limit of ${l.maxSpansPerSegment}`;
    for (const k of SEGMENT_NAMES) {
      const over = tooLong(`segment ${i} ${k}`, seg[k], l.maxNameLength);
      if (over) return over;
    }
    for (let j = 0; j < n; j++) {
      const over = spanOverLimits(seg.spans[j]!, `segment ${i} span ${j}`, l);
      if (over) return over;
    }
  }
  return undefined;
}

function spanOverLimits(span: LimitedSegment['spans'][number], at: string, l: ReportLimits): string | undefined {
  if (span.refs.length > l.maxRefsPerSpan) return `${at} has ${span.refs.length} refs, over the limit of ${l.maxRefsPerSpan}`;
  if (span.tags.length > l.maxTagsPerSpan) return `${at} has ${span.tags.length} tags, over the limit of ${l.maxTagsPerSpan}`;
  if (span.logs.length > l.maxLogsPerSpan) return `${at} has ${span.logs.length} logs, over the limit of ${l.maxLogsPerSpan}`;
  const over = tooLong(`${at} operationName`, span.operationName, l.maxNameLength) ?? tooLong(`${at} peer`, span.peer, l.maxNameLength);
  if (over) return over;
  for (let r = 0; r < span.refs.length; r++)
    for (const k of REF_NAMES) {
      const o = tooLong(`${at} refs[${r}].${k}`, span.refs[r]![k], l.maxNameLength);
      if (o) return o;
    }
  const pairs = (list: ReadonlyArray<{ key: string; value: string }>, where: string) => {
    for (let p = 0; p < list.length; p++) {
      const o = tooLong(`${where}[${p}].key`, list[p]!.key, l.maxNameLength) ?? tooLong(`${where}[${p}].value`, list[p]!.value, l.maxValueLength);
      if (o) return o;
    }
    return undefined;
  };
  const tags = pairs(span.tags, `${at} tags`);
  if (tags) return tags;
  for (let g = 0; g < span.logs.length; g++) {
    const data = span.logs[g]!.data;
    if (data.length > l.maxFieldsPerLog) return `${at} logs[${g}] has ${data.length} fields, over the limit of ${l.maxFieldsPerLog}`;
    const o = pairs(data, `${at} logs[${g}].data`);
    if (o) return o;
  }
  return undefined;
}

/**
 * Checks one instance report (`reportInstanceProperties` / `keepAlive`) against
 * {@link ReportLimits}: names, property count, key and value lengths. Returns why it is
 * refused (answer 413), or undefined.
 */
export function checkInstanceLimits(
  report: { service: string; serviceInstance: string; properties?: ReadonlyArray<{ key: string; value: string }> },
  limits: Partial<ReportLimits> = {},
): string | undefined {
  const l = resolve(limits);
  const over = tooLong('service', report.service, l.maxNameLength) ?? tooLong('serviceInstance', report.serviceInstance, l.maxNameLength);
  if (over) return over;
  const props = report.properties ?? [];
  if (props.length > l.maxInstanceProperties) return `${props.length} properties, over the limit of ${l.maxInstanceProperties}`;
  for (let i = 0; i < props.length; i++) {
    const o = tooLong(`properties[${i}].key`, props[i]!.key, l.maxNameLength) ?? tooLong(`properties[${i}].value`, props[i]!.value, l.maxValueLength);
    if (o) return o;
  }
  return undefined;
}

/** How many characters of a name a problem message quotes ({@link clipText}). */
export const QUOTED_NAME_LENGTH = 120;

/**
 * `s` cut to `max` characters, saying how many were left out, so that a message quoting a
 * client's string stays short whatever the client sent.
 */
export function clipText(s: string, max = QUOTED_NAME_LENGTH): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (+${s.length - max} characters)`;
}

/** True when a body of `bytes` (e.g. a content-length) fits `maxBodyBytes`. */
export function bodyFits(bytes: number, maxBodyBytes = DEFAULT_MAX_BODY_BYTES): boolean {
  return Number.isFinite(bytes) && bytes >= 0 && bytes <= maxBodyBytes;
}
