// Bounded answers over the collector's logs and meter series, for the viewer's log list,
// its meter charts and a trace's own logs.
import type { MeterSeries } from './telemetry-store.js';

/** Most items in one answer of `GET /api/logs/search` or `GET /api/meters/series`. */
export const MAX_ANSWER_ITEMS = 1000;
/** A log body longer than this is cut in the list (the whole record stays in `GET /api/logs`). */
const MAX_BODY = 2000;
/** Names (services, meters, labels) are cut to this in an answer. */
const MAX_NAME = 512;
/** Distinct services (and levels) named beside a list, for the viewer's filters. */
const MAX_NAMES = 200;

/** Filters of {@link searchLogs}; empty strings match everything. */
export interface LogFilter {
  service?: string;
  /** A level tag, compared without case (`warn` matches `WARN`). */
  level?: string;
  /** Text searched in the body, endpoint and logger, without case. */
  text?: string;
  traceId?: string;
  limit?: number;
}

/** One log in a list: the fields a reader scans, the body as text. */
export interface LogLine {
  time: number;
  service: string;
  serviceInstance: string;
  endpoint: string;
  level: string;
  logger: string;
  body: string;
  traceId: string;
  segmentId: string;
  spanId: number | null;
}

/** The answer of `GET /api/logs/search`. */
export interface LogSearch {
  /** Logs held. */
  total: number;
  /** Logs matching the filter (all of them; `logs` holds at most the limit). */
  matched: number;
  /** Newest first. */
  logs: LogLine[];
  /** Services and levels of all the logs held, for the filters. */
  services: string[];
  levels: string[];
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

function cut(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) + `…(+${s.length - max} characters)` : s;
}

/** A `LogData` record (proto JSON names) as a {@link LogLine}. */
export function logLine(r: Record<string, unknown>): LogLine {
  const body = (r.body ?? {}) as { text?: { text?: unknown }; json?: { json?: unknown }; yaml?: { yaml?: unknown } };
  const tags = ((r.tags as { data?: unknown } | undefined)?.data ?? []) as Array<{ key?: unknown; value?: unknown }>;
  const tag = (k: string) => {
    if (!Array.isArray(tags)) return '';
    for (const t of tags) if (t && t.key === k) return str(t.value);
    return '';
  };
  const ctx = (r.traceContext ?? {}) as { traceId?: unknown; traceSegmentId?: unknown; spanId?: unknown };
  const spanId = Number(ctx.spanId);
  return {
    time: Number(r.timestamp) || 0,
    service: cut(str(r.service), MAX_NAME),
    serviceInstance: cut(str(r.serviceInstance), MAX_NAME),
    endpoint: cut(str(r.endpoint), MAX_NAME),
    level: cut(tag('level').toUpperCase(), 32),
    logger: cut(tag('logger'), MAX_NAME),
    body: cut(str(body.text?.text) || str(body.json?.json) || str(body.yaml?.yaml), MAX_BODY),
    traceId: cut(str(ctx.traceId), MAX_NAME),
    segmentId: cut(str(ctx.traceSegmentId), MAX_NAME),
    spanId: str(ctx.traceId) && Number.isFinite(spanId) ? spanId : null,
  };
}

/** The logs matching `filter`, newest first, at most `limit` (default 200, at most {@link MAX_ANSWER_ITEMS}). */
export function searchLogs(records: ReadonlyArray<Record<string, unknown>>, filter: LogFilter): LogSearch {
  const limit = clampLimit(filter.limit);
  const level = (filter.level ?? '').toUpperCase();
  const text = (filter.text ?? '').toLowerCase();
  const services = new Set<string>();
  const levels = new Set<string>();
  const logs: LogLine[] = [];
  let matched = 0;
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i]!;
    const service = str(r.service);
    if (services.size < MAX_NAMES) services.add(cut(service, MAX_NAME));
    // Cheap checks on the raw record first: a filtered search over many logs stays fast.
    if (filter.service && service !== filter.service) continue;
    if (filter.traceId && str((r.traceContext as { traceId?: unknown } | undefined)?.traceId) !== filter.traceId) continue;
    const line = logLine(r);
    if (line.level && levels.size < MAX_NAMES) levels.add(line.level);
    if (level && line.level !== level) continue;
    if (text && !`${line.body}\n${line.endpoint}\n${line.logger}`.toLowerCase().includes(text)) continue;
    matched++;
    if (logs.length < limit) logs.push(line);
  }
  return { total: records.length, matched, logs, services: [...services].sort(), levels: [...levels].sort() };
}

/** One series in `GET /api/meters/series`. */
export interface SeriesAnswer extends MeterSeries {
  /** The latest value (a histogram's total count), min and max over the points held. */
  last: number;
  min: number;
  max: number;
}

/** The answer of `GET /api/meters/series`. */
export interface SeriesList {
  /** Series held (all services). */
  total: number;
  /** Series of the asked service (or all), ordered by service, instance, name and labels; at most the limit. */
  series: SeriesAnswer[];
  /** Services with series, for the viewer's filter. */
  services: string[];
}

/** Meter series, optionally of one service, at most `limit` (default 200, at most {@link MAX_ANSWER_ITEMS}). */
export function listSeries(all: Iterable<MeterSeries>, service?: string, limit?: number): SeriesList {
  const max = clampLimit(limit);
  const services = new Set<string>();
  const picked: MeterSeries[] = [];
  let total = 0;
  for (const s of all) {
    total++;
    if (services.size < MAX_NAMES) services.add(cut(s.service, MAX_NAME));
    if (!service || s.service === service) picked.push(s);
  }
  picked.sort((a, b) => cmp(a.service, b.service) || cmp(a.serviceInstance, b.serviceInstance) || cmp(a.name, b.name) || cmp(a.labels, b.labels));
  const series = picked.slice(0, max).map((s) => {
    let min = Infinity;
    let maxV = -Infinity;
    for (const [, v] of s.points) {
      if (v < min) min = v;
      if (v > maxV) maxV = v;
    }
    return { ...s, service: cut(s.service, MAX_NAME), serviceInstance: cut(s.serviceInstance, MAX_NAME), name: cut(s.name, MAX_NAME), labels: cut(s.labels, MAX_NAME), points: [...s.points], last: s.points.at(-1)?.[1] ?? 0, min: s.points.length ? min : 0, max: s.points.length ? maxV : 0 };
  });
  return { total, series, services: [...services].sort() };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function clampLimit(limit: number | undefined): number {
  return Math.min(MAX_ANSWER_ITEMS, Math.max(1, Math.floor(Number(limit)) || 200));
}
