// What the monitor modules share. Types only: nothing here ships.
import type { Patches } from '../../core/patch.js';
import type { RequestHooks } from '../hooks.js';

/** Monitoring options of the browser `start()` (each also a `data-*` attribute of the script tag). */
export interface MonitorOptions {
  /**
   * The monitoring module (`import { monitor } from 'skywalking-tracing/browser/monitor'`).
   * Without it the agent only traces. The script tag includes it.
   */
  monitor?: Monitor;
  /** JS errors, unhandled rejections and failed resources as `BrowserErrorLog`. Default true. */
  errors?: boolean;
  /** Failed fetch/XHR calls (status 0 or ≥ 400, network errors, timeouts) as ajax errors. Default true. */
  ajaxErrors?: boolean;
  /** Errors whose message contains one of these strings or matches one of these RegExps are not reported. */
  ignoreErrors?: Array<string | RegExp>;
  /** Drop cross-origin `Script error.` reports (no stack, no location: nothing to act on). Default false. */
  dropScriptErrors?: boolean;
  /** Report errors from browser extensions (`chrome-extension://` …). Default false. */
  extensionErrors?: boolean;
  /** The page view with its load timings as `BrowserPerfData`. Default true. */
  pageLoad?: boolean;
  /** LCP, CLS and FMP as `BrowserWebVitalsPerfData`, once per page view, when the page is first hidden. Default true. */
  webVitals?: boolean;
  /** INP as `BrowserWebInteractionsPerfData`, when the page is first hidden. Default true. */
  interactions?: boolean;
  /** Resource timings as `BrowserResourcePerfData`. Default false (opt-in: one record per resource). */
  resources?: boolean;
  /** SPA routes: History API and hash changes rename the page and send a route page view. Default true. */
  spa?: boolean;
}

/** Installs monitoring into a running agent and returns the undo; `keys` are its option names. */
export type Monitor = ((ctx: MonitorContext) => () => void) & { keys: string[] };

/** What the agent gives the monitor. Internal: not part of the stable API. */
export interface MonitorContext {
  /** The agent's options (data-* attributes arrive as strings). */
  opts: MonitorOptions & { service: string; serviceInstance?: string; flushIntervalMs?: number };
  /** The collector base URL, no trailing slash. */
  base: string;
  /** fetch as it was before the agent patched it: the agent's own reports are never seen by its hooks. */
  rawFetch?: typeof fetch;
  /** The fetch/XHR hooks; the monitor sets `fail`. */
  hooks: RequestHooks;
  /** The agent's patches: restored when the agent stops. */
  patches: Patches;
  /** The page path now (spans and errors). */
  pathNow(): string;
  /** Names the page (undefined: back to the location's). */
  rename(path?: string): void;
  /** Set by the monitor: `agent.reportError`. */
  caught?: (err: unknown, category?: string) => void;
  /** Set by the monitor: called after `agent.setPagePath`. */
  renamed?: () => void;
  /** Set by the monitor: the page was hidden (`leaving`: pagehide). The agent calls it before it flushes its segments. */
  hide?: (leaving: boolean) => void;
}

/** What each monitor module's `install` gets. */
export interface Ctx extends MonitorContext {
  /** Queues one record for an OAP browser path; service, serviceVersion and pagePath are added (the record's own win). */
  emitRecord(path: string, record: object): void;
  /** Run when the page is hidden or left, before the reports are flushed: the last chance to queue. */
  onHide: Array<() => void>;
  /** Removes every listener the modules added with it. */
  signal: AbortSignal;
  /** The page view number: an SPA route and a back/forward-cache restore start a new one. */
  viewNo: number;
}
