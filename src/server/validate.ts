import type { SegmentObject } from '../core/index.js';

const DAY = 24 * 3600 * 1000;

/**
 * What a strict backend would object to in one segment: OAP fills the segment from span 0,
 * ignores exit spans without a peer, and a Java-style receiver drops refs with empty fields.
 */
export function validateSegment(seg: SegmentObject, now = Date.now()): string[] {
  const problems: string[] = [];
  if (!seg.traceId) problems.push('empty traceId');
  if (!seg.traceSegmentId) problems.push('empty traceSegmentId');
  if (seg.traceId.length > 150 || seg.traceSegmentId.length > 150) problems.push('id longer than 150 characters');
  if (!seg.service) problems.push('empty service');
  if (!seg.serviceInstance) problems.push('empty serviceInstance');
  if (seg.spans.length === 0) problems.push('no spans (OAP drops such a segment)');
  const ids = new Set<number>();
  seg.spans.forEach((s, i) => {
    const at = `span ${s.spanId} "${s.operationName}"`;
    if (s.spanId !== i) problems.push(`${at}: span ids must run 0, 1, 2… in order (found ${s.spanId} at position ${i})`);
    ids.add(s.spanId);
    if (i === 0 && s.parentSpanId !== -1) problems.push(`${at}: the first span must have parentSpanId -1`);
    if (i > 0 && s.parentSpanId === -1) problems.push(`${at}: a second root span`);
    if (i > 0 && s.parentSpanId !== -1 && !ids.has(s.parentSpanId)) problems.push(`${at}: parent span ${s.parentSpanId} does not exist earlier in the segment`);
    if (!s.operationName) problems.push(`${at}: empty operationName`);
    if (s.spanType === 'Exit' && !s.peer) problems.push(`${at}: exit span without peer (ignored by OAP topology)`);
    if (s.startTime <= 0 || s.endTime <= 0) problems.push(`${at}: missing start or end time`);
    else if (s.endTime < s.startTime) problems.push(`${at}: ends before it starts`);
    else if (s.startTime > now + DAY) problems.push(`${at}: starts more than a day in the future`);
    for (const r of s.refs) {
      const missing: string[] = (['traceId', 'parentTraceSegmentId', 'parentService', 'parentServiceInstance', 'parentEndpoint'] as const).filter((k) => !r[k]);
      if (r.refType === 'CrossProcess' && !r.networkAddressUsedAtPeer) missing.push('networkAddressUsedAtPeer');
      if (missing.length) problems.push(`${at}: ${r.refType} ref with empty ${missing.join(', ')}`);
      if (r.parentSpanId < 0) problems.push(`${at}: ref with negative parentSpanId`);
      if (r.traceId && r.traceId !== seg.traceId && r.refType === 'CrossProcess') problems.push(`${at}: ref traceId differs from the segment's`);
    }
  });
  return problems;
}
