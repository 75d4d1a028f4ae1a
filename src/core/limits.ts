/** Bounds on what one segment records. Beyond them data is dropped and counted, never thrown. */
export interface Limits {
  /** Spans per segment; beyond it spans are no-ops and the segment is marked `isSizeLimited`. Default 300. */
  maxSpansPerSegment: number;
  /** Tags per span. Default 100. */
  maxTagsPerSpan: number;
  /** Logs per span. Default 300. */
  maxLogsPerSpan: number;
  /** Tag values are cut to this many characters. Default 2048. */
  maxTagValueLength: number;
  /** Log values (messages, stacks) are cut to this many characters. Default 4096. */
  maxLogValueLength: number;
  /** Operation names are cut to this many characters (OAP's endpoint limit). Default 150. */
  maxOperationNameLength: number;
}

/** The default {@link Limits}. */
export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxSpansPerSegment: 300,
  maxTagsPerSpan: 100,
  maxLogsPerSpan: 300,
  maxTagValueLength: 2048,
  maxLogValueLength: 4096,
  maxOperationNameLength: 150,
};

/** Service and instance names longer than this are cut (the propagation doc asks for at most 50). */
export const MAX_SERVICE_NAME_LENGTH = 50;

/** Counters of what limits dropped or cut; read them from `tracer.stats`. */
export interface TracerStats {
  droppedSpans: number;
  droppedTags: number;
  droppedLogs: number;
  truncatedValues: number;
  unsampledSegments: number;
  reportedSegments: number;
  reporterErrors: number;
}

/** Merges user limits over the defaults, replacing invalid numbers by the default. */
export function resolveLimits(user: Partial<Limits> | undefined): Limits {
  const out = { ...DEFAULT_LIMITS };
  if (!user) return out;
  for (const k of Object.keys(out) as Array<keyof Limits>) {
    const v = user[k];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 1) out[k] = Math.floor(v);
  }
  return out;
}

/** Cuts `s` to `max` UTF-16 units without splitting a surrogate pair. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  const code = s.charCodeAt(max - 1);
  return s.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}
