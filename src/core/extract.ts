import type { Extractable } from './carrier.js';
import type { SegmentReference } from './segment.js';
import { decodeCorrelation, decodeSw8, decodeSw8x, SW8, SW8_CORRELATION, SW8_X } from './sw8.js';

/** What an incoming request's propagation headers carried. Internal: not part of the stable API. */
export interface Extracted {
  ref: SegmentReference;
  sampled: boolean;
  correlation: Map<string, string>;
  skipAnalysis: boolean;
  sendTime: number | undefined;
}

/**
 * Reads sw8 (strictly), sw8-correlation and sw8-x from a carrier. Undefined when sw8 is
 * absent or invalid: the entry span then starts a new trace. Never throws.
 */
export function extractPropagation(carrier: Extractable): Extracted | undefined {
  const sw8 = decodeSw8(safeExtract(carrier, SW8));
  if (!sw8) return undefined;
  const ext = decodeSw8x(safeExtract(carrier, SW8_X));
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
    correlation: decodeCorrelation(safeExtract(carrier, SW8_CORRELATION)),
    skipAnalysis: ext?.skipAnalysis === true,
    sendTime: ext?.sendTime,
  };
}

function safeExtract(carrier: Extractable, key: string): string | null | undefined {
  try {
    return carrier.extract(key);
  } catch {
    return undefined;
  }
}
