import type { SegmentObject, SegmentReference } from '../core/index.js';
import { clipText, OAP_LIMITS } from './limits.js';

const DAY = 24 * 3600 * 1000;
// Earlier than 2000-01-01: a relative time or seconds instead of epoch milliseconds.
const EPOCH_MS_FLOOR = 946_684_800_000;

/**
 * Whether a span's times can be drawn on a trace's time axis: epoch milliseconds after
 * 2000-01-01, end not before start, neither more than a day after `now`. Spans that fail
 * this are reported by {@link validateSegment} and left out of a trace's start and duration,
 * so one bad clock cannot stretch the window of every other span.
 */
export function saneSpanTimes(span: { startTime: number; endTime: number }, now = Date.now()): boolean {
  return span.startTime >= EPOCH_MS_FLOOR && span.endTime >= span.startTime && span.endTime <= now + DAY;
}

const REF_FIELDS = ['traceId', 'parentTraceSegmentId', 'parentService', 'parentServiceInstance', 'parentEndpoint', 'networkAddressUsedAtPeer'] as const;

/**
 * What a strict backend would object to in one segment, as readable sentences (empty when
 * the segment is clean). OAP fills the stored segment from span 0 and expects span ids to
 * run 0, 1, 2…; it ignores exit spans without a peer for topology; a Java receiver drops a
 * CrossProcess reference with any empty field (protocol.md §1.1, §5.4, §8).
 * `now` (epoch ms) is the reference for "far in the future". Names are quoted cut to
 * {@link clipText}'s length; beyond `maxProblems` sentences the rest are only counted, in a
 * last `+N more problems`, so that the answer stays small whatever the segment holds.
 */
export function validateSegment(seg: SegmentObject, now = Date.now(), maxProblems = Infinity): string[] {
  const problems: string[] = [];
  let more = 0;
  const push = (...found: string[]) => {
    for (const p of found) if (problems.length < maxProblems) problems.push(p);
    else more++;
  };
  if (!seg.traceId) push('empty traceId');
  if (!seg.traceSegmentId) push('empty traceSegmentId');
  if (seg.traceId.length > OAP_LIMITS.idLength || seg.traceSegmentId.length > OAP_LIMITS.idLength)
    push(`id longer than ${OAP_LIMITS.idLength} characters (OAP's column size)`);
  if (!seg.service) push('empty service');
  else if (seg.service.length > OAP_LIMITS.serviceNameLength) push(`service name longer than ${OAP_LIMITS.serviceNameLength} characters (OAP truncates it)`);
  if (!seg.serviceInstance) push('empty serviceInstance');
  else if (seg.serviceInstance.length > OAP_LIMITS.instanceNameLength) push(`serviceInstance longer than ${OAP_LIMITS.instanceNameLength} characters (OAP truncates it)`);
  if (seg.spans.length === 0) push('no spans (OAP drops such a segment)');

  const seen = new Set<number>();
  seg.spans.forEach((s, i) => {
    const at = `span ${s.spanId} "${clipText(s.operationName)}"`;
    if (seen.has(s.spanId)) push(`${at}: duplicate spanId ${s.spanId}`);
    else if (s.spanId !== i) push(`${at}: span ids must run 0, 1, 2… in order (found ${s.spanId} at position ${i})`);
    if (i === 0 && s.parentSpanId !== -1) push(`${at}: the first span must have parentSpanId -1`);
    if (i > 0 && s.parentSpanId === -1) push(`${at}: a second root span (parentSpanId -1)`);
    if (i > 0 && s.parentSpanId !== -1 && !seen.has(s.parentSpanId))
      push(`${at}: parent span ${s.parentSpanId} does not exist earlier in the segment`);
    seen.add(s.spanId);
    if (!s.operationName) push(`${at}: empty operationName`);
    else if (s.spanType === 'Entry' && s.operationName.length > OAP_LIMITS.endpointNameLength)
      push(`${at}: endpoint name longer than ${OAP_LIMITS.endpointNameLength} characters (OAP truncates it)`);
    if (s.spanType === 'Exit' && !s.peer) push(`${at}: exit span without peer (ignored by OAP topology)`);
    if (s.startTime <= 0 || s.endTime <= 0) push(`${at}: missing start or end time`);
    else if (s.startTime < EPOCH_MS_FLOOR) push(`${at}: start time ${s.startTime} is not epoch milliseconds`);
    else if (s.endTime < s.startTime) push(`${at}: ends before it starts`);
    else if (s.startTime > now + DAY) push(`${at}: starts more than a day in the future`);
    else if (s.endTime > now + DAY) push(`${at}: ends more than a day in the future`);
    for (const r of s.refs) push(...refProblems(seg, at, r));
  });
  if (more) problems.push(`+${more} more problems`);
  return problems;
}

function refProblems(seg: SegmentObject, at: string, r: SegmentReference): string[] {
  const out: string[] = [];
  // CrossThread refs stay inside one process: no address was used to reach the peer.
  const needed = r.refType === 'CrossProcess' ? REF_FIELDS : REF_FIELDS.filter((k) => k !== 'networkAddressUsedAtPeer');
  const missing: string[] = needed.filter((k) => !r[k]);
  if (missing.length) out.push(`${at}: ${r.refType} ref with empty ${missing.join(', ')}`);
  if (r.parentSpanId < 0) out.push(`${at}: ref with negative parentSpanId`);
  if (r.traceId && r.traceId !== seg.traceId) out.push(`${at}: ref traceId ${clipText(r.traceId)} differs from the segment's ${clipText(seg.traceId)}`);
  if (r.parentTraceSegmentId && r.parentTraceSegmentId === seg.traceSegmentId) out.push(`${at}: ref points at its own segment`);
  if (r.refType === 'CrossThread' && r.parentService && seg.service && r.parentService !== seg.service)
    out.push(`${at}: CrossThread ref from another service (${clipText(r.parentService)})`);
  return out;
}
