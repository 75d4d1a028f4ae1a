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

/** Count limits for one report (request). */
export interface ReportLimits {
  /** Most segments in one request. */
  maxSegmentsPerRequest: number;
  /** Most spans in one segment (the Java agent stops recording at 300). */
  maxSpansPerSegment: number;
}

/** Defaults of {@link ReportLimits}: generous enough for any agent's batch. */
export const DEFAULT_REPORT_LIMITS: ReportLimits = { maxSegmentsPerRequest: 5000, maxSpansPerSegment: 10_000 };

/**
 * Checks a decoded report against count limits; returns why it is refused (answer 413),
 * or undefined when it fits.
 */
export function checkReportLimits(segments: ReadonlyArray<{ spans: readonly unknown[] }>, limits: Partial<ReportLimits> = {}): string | undefined {
  const maxSegments = limits.maxSegmentsPerRequest ?? DEFAULT_REPORT_LIMITS.maxSegmentsPerRequest;
  const maxSpans = limits.maxSpansPerSegment ?? DEFAULT_REPORT_LIMITS.maxSpansPerSegment;
  if (segments.length > maxSegments) return `${segments.length} segments in one request, over the limit of ${maxSegments}`;
  for (let i = 0; i < segments.length; i++) {
    const n = segments[i]!.spans.length;
    if (n > maxSpans) return `segment ${i} has ${n} spans, over the limit of ${maxSpans}`;
  }
  return undefined;
}

/** True when a body of `bytes` (e.g. a content-length) fits `maxBodyBytes`. */
export function bodyFits(bytes: number, maxBodyBytes = DEFAULT_MAX_BODY_BYTES): boolean {
  return Number.isFinite(bytes) && bytes >= 0 && bytes <= maxBodyBytes;
}
