// What the ingest handler accepts from a browser beyond the protocol's own rules: the
// handler forwards with the server's token, so a page must not be able to speak for a
// backend, nor send data that OAP would store in the wrong place.
import type { SegmentObject } from '../../core/index.js';
import { OAP_LIMITS, ReportError } from '../../server/index.js';

/** Options of {@link checkBrowserSegment}. */
export interface BrowserSegmentPolicy {
  /** Longest string accepted anywhere in a segment, in characters. */
  maxStringLength: number;
  /** Throws a 403 {@link ReportError} for a service this handler does not accept. */
  checkService: (service: unknown) => void;
}

/**
 * Checks segment `i` of a browser report; throws a {@link ReportError} (400, naming the
 * field, or 403) when it cannot be forwarded. Browser segments start traces: a reference to
 * another process (`CrossProcess`) or another service would let a page attach itself to any
 * backend's trace, so such a segment is refused rather than silently altered.
 */
export function checkBrowserSegment(s: SegmentObject, i: number, policy: BrowserSegmentPolicy): void {
  const at = `segments[${i}]`;
  if (s.spans.length === 0) throw new ReportError(400, `${at}.spans: a segment needs at least one span`);
  if (!s.traceId || !s.traceSegmentId || !s.service || !s.serviceInstance) throw new ReportError(400, `${at}: segments need traceId, traceSegmentId, service and serviceInstance`);
  policy.checkService(s.service);
  if (s.traceId.length > OAP_LIMITS.idLength || s.traceSegmentId.length > OAP_LIMITS.idLength) throw new ReportError(400, `${at}: ids longer than ${OAP_LIMITS.idLength} characters`);
  const long = longString(s, policy.maxStringLength);
  if (long) throw new ReportError(400, `${at}: ${long} longer than ${policy.maxStringLength} characters`);
  s.spans.forEach((span, j) =>
    span.refs.forEach((r, k) => {
      const field = `${at}.spans[${j}].refs[${k}]`;
      if (r.refType === 'CrossProcess') throw new ReportError(400, `${field}.refType: browser segments start traces and carry no CrossProcess references`);
      if (r.parentService !== s.service) throw new ReportError(400, `${field}.parentService: a reference to another service than the segment's own`);
    }),
  );
}

/** The first string field of a segment longer than `max`, named; undefined when all fit. */
function longString(s: SegmentObject, max: number): string | undefined {
  if (s.service.length > max || s.serviceInstance.length > max) return 'service or instance name';
  for (const span of s.spans) {
    if ((span.operationName?.length ?? 0) > max) return 'an operation name';
    if ((span.peer?.length ?? 0) > max) return 'a peer';
    for (const t of span.tags ?? []) if (t.key.length > max || t.value.length > max) return `tag "${t.key.slice(0, 40)}"`;
    for (const l of span.logs ?? []) for (const d of l.data ?? []) if (d.key.length > max || d.value.length > max) return 'a log field';
    for (const r of span.refs ?? [])
      if (r.parentEndpoint.length > max || r.networkAddressUsedAtPeer.length > max || r.parentService.length > max || r.parentServiceInstance.length > max) return 'a reference field';
  }
  return undefined;
}
