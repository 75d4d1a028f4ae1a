import type { Extractable } from './carrier.js';
import type { SegmentReference } from './segment.js';
import { decodeCorrelation, decodeSw8, decodeSw8x, SW8, SW8_CORRELATION, SW8_X } from './sw8.js';

/** What {@link Extracted.enter} needs of a context: only these, so this module depends on no context type. */
export interface EnteredContext {
  setCorrelation(key: string, value: string): unknown;
  setSkipAnalysis(): unknown;
}

/** What {@link Extracted.enter} needs of the new entry span. */
export interface EnteredSpan {
  readonly startTime: number;
  tag(key: string, value: string): unknown;
}

/** What an incoming request's propagation headers carried. Internal: not part of the stable API. */
export interface Extracted {
  ref: SegmentReference;
  sampled: boolean;
  /**
   * Applies the rest (correlation, sw8-x tracing mode and send time) to the context and
   * its new entry span. Here rather than in the context, so a bundle that never reads
   * headers (the browser's) carries none of it.
   */
  enter(context: EnteredContext, span: EnteredSpan): void;
}

/**
 * Reads sw8 (strictly), sw8-correlation and sw8-x from a carrier. Undefined when sw8 is
 * absent or invalid: the entry span then starts a new trace. Never throws.
 */
export function extractPropagation(carrier: Extractable): Extracted | undefined {
  const sw8 = decodeSw8(safeExtract(carrier, SW8));
  if (!sw8) return undefined;
  const ext = decodeSw8x(safeExtract(carrier, SW8_X));
  const correlation = decodeCorrelation(safeExtract(carrier, SW8_CORRELATION));
  return {
    ref: {
      refType: 'CrossProcess',
      traceId: sw8.traceId,
      parentTraceSegmentId: sw8.parentSegmentId,
      parentSpanId: sw8.parentSpanId,
      parentService: sw8.parentService,
      parentServiceInstance: sw8.parentServiceInstance,
      parentEndpoint: sw8.parentEndpoint,
      networkAddressUsedAtPeer: sw8.addressUsedAtClient,
    },
    sampled: sw8.sampled,
    enter(context, span) {
      for (const [k, v] of correlation) context.setCorrelation(k, v);
      if (ext?.skipAnalysis) context.setSkipAnalysis();
      const sendTime = ext?.sendTime;
      // A send time in the future (clock skew) is no latency at all.
      if (sendTime !== undefined && span.startTime >= sendTime) span.tag('transmission.latency', String(span.startTime - sendTime));
    },
  };
}

function safeExtract(carrier: Extractable, key: string): string | null | undefined {
  try {
    return carrier.extract(key);
  } catch {
    return undefined;
  }
}
