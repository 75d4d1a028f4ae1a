import { diag } from './diag.js';

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
  /** Operation names are cut to this many characters. Default and maximum 150 (OAP's endpoint limit). */
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

/** Operation names longer than this are always cut: OAP stores endpoint names of at most 150 characters. */
export const MAX_OPERATION_NAME_LENGTH = 150;

/** Service and instance names longer than this are cut (the propagation doc asks for at most 50). */
export const MAX_SERVICE_NAME_LENGTH = 50;

/** Counters of what limits dropped or cut; read them from `tracer.stats`. */
export interface TracerStats {
  /** Spans not recorded because their segment already had `maxSpansPerSegment`. */
  droppedSpans: number;
  /** Tags not recorded because their span already had `maxTagsPerSpan`. */
  droppedTags: number;
  /** Logs not recorded because their span already had `maxLogsPerSpan`. */
  droppedLogs: number;
  /** Tag and log values cut to their length limit. */
  truncatedValues: number;
  /** Segments not reported because their trace was not sampled. */
  unsampledSegments: number;
  /** Segments handed to the reporter. */
  reportedSegments: number;
  /** Segments lost because `reporter.report` threw. */
  reporterErrors: number;
}

/**
 * Merges user limits over the defaults, replacing invalid numbers by the default.
 * `maxOperationNameLength` is capped at 150: OAP's endpoint name column holds no more.
 * @internal
 */
export function resolveLimits(user: Partial<Limits> | undefined): Limits {
  const out = { ...DEFAULT_LIMITS };
  if (!user) return out;
  for (const k of Object.keys(out) as Array<keyof Limits>) out[k] = Math.floor(numberOption(user[k], out[k]));
  if (out.maxOperationNameLength > MAX_OPERATION_NAME_LENGTH) {
    diag.warn(`maxOperationNameLength is capped at ${MAX_OPERATION_NAME_LENGTH} (OAP's endpoint limit)`);
    out.maxOperationNameLength = MAX_OPERATION_NAME_LENGTH;
  }
  return out;
}

/** @internal A numeric option: `v` when it is a finite number ≥ `min`, else `fallback`. */
export function numberOption(v: number | undefined, fallback: number, min = 1): number {
  return typeof v === 'number' && v >= min && v < Infinity ? v : fallback;
}

/** @internal Cuts `s` to `max` UTF-16 units without splitting a surrogate pair. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  const code = s.charCodeAt(max - 1);
  return s.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}
