// The browser view's data: page views, timings and web vitals per service and page, and
// errors grouped by message. Aggregated on receipt (counts, sums and a fixed-resolution
// histogram per metric), so memory grows with pages and distinct values, not with reports.
import { BUCKET_BYTES, LogHistogram } from './log-histogram.js';

/** The `BrowserPerfData` timings averaged per page (ms), in the order the viewer shows them. */
export const PAGE_TIMINGS = [
  'redirectTime',
  'dnsTime',
  'tcpTime',
  'sslTime',
  'ttfbTime',
  'transTime',
  'firstPackTime',
  'fptTime',
  'domAnalysisTime',
  'ttlTime',
  'domReadyTime',
  'resTime',
  'loadPageTime',
] as const;

/** Web vitals thresholds (web.dev): good up to the first, poor above the second. */
export const VITAL_THRESHOLDS = {
  lcp: [2500, 4000],
  cls: [0.1, 0.25],
  inp: [200, 500],
} as const;

/** The vitals kept per page; FMP is shown as is (no thresholds). */
export type Vital = keyof typeof VITAL_THRESHOLDS | 'fmp';

/** Which BrowserPerfService report a record came in (by method or REST path). */
export type BrowserPerfKind = 'perf' | 'vitals' | 'interactions' | 'resources';

/** Most pages (service + page path) kept; the least recently reported go first. */
export const MAX_PAGES = 1000;
/** Most error groups (service + category + message) kept; the least recently seen go first. */
export const MAX_ERROR_GROUPS = 1000;
/** Pages named per error group; more are counted in `otherPages`. */
const PAGES_PER_GROUP = 10;
/** Cuts applied on receipt: they bound each key and each kept text. */
const MAX_NAME = 512;
const MAX_MESSAGE = 1000;
const MAX_STACK = 4000;
// CLS is a fraction: kept in thousandths, so the histogram is exact below 0.1.
const CLS_SCALE = 1000;

const PAGE_OVERHEAD = 400;
const HISTOGRAM_OVERHEAD = 120;
const GROUP_OVERHEAD = 400;
const GROUP_PAGE_OVERHEAD = 60;

const CATEGORIES = ['ajax', 'resource', 'vue', 'promise', 'js', 'unknown'];

/** One metric of a page in an answer. Times in ms, CLS as a fraction. */
export interface MetricSummary {
  count: number;
  avg: number;
  p50: number;
  p75: number;
  p95: number;
  max: number;
}

/** A rated vital: its summary, how many values fell in each band, and the p75's rating. */
export interface VitalSummary extends MetricSummary {
  good: number;
  needsImprovement: number;
  poor: number;
  rating: 'good' | 'needs-improvement' | 'poor';
}

/** One page in `GET /api/browser/pages`. */
export interface PageSummary {
  service: string;
  pagePath: string;
  views: number;
  /** Page views with navigation timings (a first load); SPA route views carry zeros and are only counted. */
  loads: number;
  errors: number;
  lastSeen: number;
  timings: Record<string, MetricSummary>;
  vitals: Partial<Record<Vital, MetricSummary | VitalSummary>>;
}

/** One group in `GET /api/browser/error-groups`. */
export interface ErrorGroupSummary {
  service: string;
  category: string;
  grade: string;
  message: string;
  count: number;
  firstTime: number;
  lastTime: number;
  stack: string;
  errorUrl: string;
  line: number;
  col: number;
  pages: Array<{ pagePath: string; count: number }>;
  otherPages: number;
}

// Held per page: the answer's counters, the raw histograms and bands its summaries come from.
interface PageStats extends Omit<PageSummary, 'timings' | 'vitals'> {
  histograms: Map<string, LogHistogram>;
  /** [good, needs improvement, poor] per rated vital. */
  ratings: Map<string, [number, number, number]>;
  bytes: number;
}

// Held per error group: the answer's fields, with its pages counted in a map.
interface ErrorGroup extends Omit<ErrorGroupSummary, 'pages'> {
  pages: Map<string, number>;
  bytes: number;
}

const text = (v: unknown, max: number): string => {
  const s = typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
  return s.length > max ? s.slice(0, max) + '…' : s;
};

/** A number field as proto3 JSON gives it (a number or a numeric string); undefined otherwise. */
const num = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * Browser perf and error reports, aggregated per page and per error message within
 * `maxBytes` (an estimate, as the rest of the store): beyond it, or beyond {@link MAX_PAGES}
 * pages or {@link MAX_ERROR_GROUPS} groups, the least recently updated go first.
 */
export class BrowserStats {
  private readonly pageMap = new Map<string, PageStats>();
  private readonly groupMap = new Map<string, ErrorGroup>();
  /** Approximate bytes held. */
  bytes = 0;
  /** Pages and error groups evicted for the bounds. */
  readonly evicted = { pages: 0, errorGroups: 0 };

  constructor(readonly maxBytes: number) {}

  /** Pages held. */
  get pageCount(): number {
    return this.pageMap.size;
  }

  /** Error groups held. */
  get groupCount(): number {
    return this.groupMap.size;
  }

  /** Adds perf reports of one kind (decoded `BrowserPerfData`, `BrowserWebVitalsPerfData`, …). */
  addPerf(kind: BrowserPerfKind, items: readonly unknown[]): void {
    if (kind === 'resources') return; // counted by the store; no view of their own yet
    for (const item of items) {
      if (!item || typeof item !== 'object') continue;
      const r = item as Record<string, unknown>;
      const page = this.page(r);
      if (!page) continue;
      if (kind === 'perf') {
        page.views++;
        const values = PAGE_TIMINGS.map((k) => num(r[k]));
        // A route page view (SPA) carries no navigation timings: a view, not a load.
        if (values.some((v) => v !== undefined && v > 0)) {
          page.loads++;
          PAGE_TIMINGS.forEach((k, i) => this.sample(page, k, values[i]));
        }
        const fmp = num(r.fmpTime);
        if (fmp !== undefined && fmp > 0) this.sample(page, 'fmp', fmp);
      } else if (kind === 'vitals') {
        const lcp = num(r.lcpTime);
        if (lcp !== undefined && lcp > 0) this.sample(page, 'lcp', lcp);
        const fmp = num(r.fmpTime);
        if (fmp !== undefined && fmp > 0) this.sample(page, 'fmp', fmp);
        // `cls` since OAP 10.x; older client-js versions send `clsTime`. -1: not measured.
        const cls = num(r.cls ?? r.clsTime);
        if (cls !== undefined && cls >= 0) this.sample(page, 'cls', cls);
      } else {
        const inp = num(r.inpTime);
        if (inp !== undefined && inp >= 0) this.sample(page, 'inp', inp);
      }
    }
    this.fit();
  }

  /** Adds decoded `BrowserErrorLog` records to their group (service, category, message) and their page. */
  addErrors(items: readonly unknown[]): void {
    const now = Date.now();
    for (const item of items) {
      if (!item || typeof item !== 'object') continue;
      const r = item as Record<string, unknown>;
      const service = text(r.service, MAX_NAME);
      const pagePath = text(r.pagePath, MAX_NAME) || '/';
      const category = typeof r.category === 'number' ? (CATEGORIES[r.category] ?? 'unknown') : text(r.category, 32) || 'unknown';
      const message = text(r.message, MAX_MESSAGE);
      const key = `${service}\0${category}\0${message}`;
      let g = this.groupMap.get(key);
      if (g) this.groupMap.delete(key);
      else {
        g = { service, category, message, grade: '', count: 0, firstTime: now, lastTime: now, stack: '', errorUrl: '', line: 0, col: 0, pages: new Map(), otherPages: 0, bytes: 0 };
        g.bytes = GROUP_OVERHEAD + 2 * (key.length + 1);
        this.bytes += g.bytes;
        this.evictGroups();
      }
      this.groupMap.set(key, g);
      g.count++;
      g.lastTime = now;
      g.grade = text(r.grade, 32) || g.grade;
      // The latest occurrence's place; its stack only if it has one (a later copy may not).
      const stack = text(r.stack, MAX_STACK);
      if (stack) this.resize(g, 2 * (stack.length - g.stack.length), () => (g.stack = stack));
      const errorUrl = text(r.errorUrl, MAX_NAME);
      this.resize(g, 2 * (errorUrl.length - g.errorUrl.length), () => (g.errorUrl = errorUrl));
      g.line = num(r.line) ?? 0;
      g.col = num(r.col) ?? 0;
      const seen = g.pages.get(pagePath);
      if (seen !== undefined) g.pages.set(pagePath, seen + 1);
      else if (g.pages.size < PAGES_PER_GROUP) this.resize(g, GROUP_PAGE_OVERHEAD + 2 * pagePath.length, () => g.pages.set(pagePath, 1));
      else g.otherPages++;
      const page = this.page(r);
      if (page) page.errors++;
    }
    this.fit();
  }

  /** Pages, most viewed first (then most recent), at most `limit`. */
  pages(limit = 200): PageSummary[] {
    // The maps hold the most recent last; a stable sort keeps that order among equals.
    return [...this.pageMap.values()]
      .reverse()
      .sort((a, b) => b.views - a.views)
      .slice(0, limit)
      .map((p) => {
        const timings: Record<string, MetricSummary> = {};
        for (const k of PAGE_TIMINGS) {
          const h = p.histograms.get(k);
          if (h?.count) timings[k] = summary(h, 1);
        }
        const vitals: PageSummary['vitals'] = {};
        for (const v of ['lcp', 'cls', 'inp', 'fmp'] as const) {
          const h = p.histograms.get(v);
          if (!h?.count) continue;
          const s = summary(h, v === 'cls' ? CLS_SCALE : 1);
          const bands = p.ratings.get(v);
          vitals[v] = bands && v !== 'fmp' ? { ...s, good: bands[0], needsImprovement: bands[1], poor: bands[2], rating: rate(v, s.p75) } : s;
        }
        return { service: p.service, pagePath: p.pagePath, views: p.views, loads: p.loads, errors: p.errors, lastSeen: p.lastSeen, timings, vitals };
      });
  }

  /** Error groups, most frequent first (then most recent), at most `limit`. */
  errorGroups(limit = 200): ErrorGroupSummary[] {
    return [...this.groupMap.values()]
      .reverse()
      .sort((a, b) => b.count - a.count)
      .slice(0, limit)
      .map(({ pages, bytes: _bytes, ...g }) => ({ ...g, pages: [...pages].map(([pagePath, count]) => ({ pagePath, count })).sort((a, b) => b.count - a.count) }));
  }

  // The page a record belongs to (blank page path is `/`, as OAP reads it), the most recent last.
  private page(r: Record<string, unknown>): PageStats | undefined {
    const service = text(r.service, MAX_NAME);
    // OAP drops perf data with a blank service.
    if (!service) return undefined;
    const pagePath = text(r.pagePath, MAX_NAME) || '/';
    const key = `${service}\0${pagePath}`;
    let p = this.pageMap.get(key);
    if (p) this.pageMap.delete(key);
    else {
      p = { service, pagePath, views: 0, loads: 0, errors: 0, lastSeen: 0, histograms: new Map(), ratings: new Map(), bytes: PAGE_OVERHEAD + 2 * key.length };
      this.bytes += p.bytes;
    }
    this.pageMap.set(key, p);
    p.lastSeen = Date.now();
    while (this.pageMap.size > MAX_PAGES) this.dropOldestPage();
    return p;
  }

  private sample(page: PageStats, metric: string, value: number | undefined): void {
    if (value === undefined || value < 0) return;
    let h = page.histograms.get(metric);
    if (!h) {
      h = new LogHistogram();
      page.histograms.set(metric, h);
      page.bytes += HISTOGRAM_OVERHEAD;
      this.bytes += HISTOGRAM_OVERHEAD;
    }
    const grew = h.add(metric === 'cls' ? value * CLS_SCALE : value) * BUCKET_BYTES;
    page.bytes += grew;
    this.bytes += grew;
    if (metric === 'lcp' || metric === 'cls' || metric === 'inp') {
      const [good, poor] = VITAL_THRESHOLDS[metric];
      const bands = page.ratings.get(metric) ?? [0, 0, 0];
      bands[value <= good ? 0 : value <= poor ? 1 : 2]++;
      page.ratings.set(metric, bands);
    }
  }

  private resize(g: ErrorGroup, delta: number, apply: () => void): void {
    apply();
    g.bytes += delta;
    this.bytes += delta;
  }

  private dropOldestPage(): void {
    const [key, p] = this.pageMap.entries().next().value as [string, PageStats];
    this.pageMap.delete(key);
    this.bytes -= p.bytes;
    this.evicted.pages++;
  }

  private dropOldestGroup(): void {
    const [key, g] = this.groupMap.entries().next().value as [string, ErrorGroup];
    this.groupMap.delete(key);
    this.bytes -= g.bytes;
    this.evicted.errorGroups++;
  }

  private evictGroups(): void {
    while (this.groupMap.size >= MAX_ERROR_GROUPS) this.dropOldestGroup();
  }

  // Within the byte budget: the least recently updated page or group goes first, but the
  // one just updated stays (it is the last of its map).
  private fit(): void {
    while (this.bytes > this.maxBytes) {
      const page = this.pageMap.size > 1 ? this.pageMap.values().next().value : undefined;
      const group = this.groupMap.size > 1 ? this.groupMap.values().next().value : undefined;
      if (!page && !group) break;
      if (page && (!group || page.lastSeen <= group.lastTime)) this.dropOldestPage();
      else this.dropOldestGroup();
    }
  }
}

function summary(h: LogHistogram, scale: number): MetricSummary {
  const digits = scale === 1 ? 1 : 3;
  const at = (q: number) => round(h.quantile(q)! / scale, digits);
  return { count: h.count, avg: round(h.sum / h.count / scale, digits), p50: at(0.5), p75: at(0.75), p95: at(0.95), max: round(h.max / scale, digits) };
}

/** The rating of a vital's p75, as web.dev assesses a page. */
function rate(v: keyof typeof VITAL_THRESHOLDS, p75: number): VitalSummary['rating'] {
  const [good, poor] = VITAL_THRESHOLDS[v];
  return p75 <= good ? 'good' : p75 <= poor ? 'needs-improvement' : 'poor';
}

const KIND_BY_PATH: Record<string, BrowserPerfKind> = {
  '/browser/perfData': 'perf',
  '/browser/perfData/webVitals': 'vitals',
  '/browser/perfData/webInteractions': 'interactions',
  '/browser/perfData/resources': 'resources',
};

/** The kind of perf report an OAP REST path (or the gRPC-web method routed to it) carries. */
export function perfKindOfPath(path: string): BrowserPerfKind {
  return KIND_BY_PATH[path] ?? 'resources';
}
