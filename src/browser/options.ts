// The browser agent's options: their shape, their names (for the unknown-key check) and the
// check itself, which names every configuration mistake once on the config channel.
import { diag } from '../core/diag.js';
import type { Reporter } from '../core/reporter.js';
import { reportUnknownKeys } from '../core/options-check.js';
import type { PropagateTo, UrlRules } from '../core/propagate-to.js';
import type { MonitorOptions } from './monitor/types.js';

/** Options of the browser {@link start}. */
export interface BrowserAgentOptions extends MonitorOptions {
  /** Service name of the web app. Required. */
  service: string;
  /** The app's version: OAP's service instance. Default `latest` (sw8 needs a non-empty value). */
  serviceInstance?: string;
  /** Where reports go: a URL or a same-origin path such as `/skywalking`. Default: the page's origin. */
  collector?: string;
  /** `grpc-web` (default: `collectInSync` through a gRPC-web proxy or the ingest handler) or `http` (OAP's `/v3/segments`). */
  protocol?: 'grpc-web' | 'http';
  /**
   * Other destinations that receive sw8 (they must allow the header in CORS), the same rules
   * as the Node agent's: hosts (`api.example.com`, `api.example.com:8443`, `*.example.com`),
   * origins or URLs (only the origin counts, so `https://API.example.com:443/v1` allows
   * `https://api.example.com`), RegExps tested against the whole URL, or a predicate. One may
   * stand alone. The page's own origin always receives sw8.
   */
  propagateTo?: PropagateTo;
  /** The browser endpoint name (sw8 field 7). Default `location.pathname` at each request (never the query), so SPA routes show. */
  pagePath?: string;
  /** Fraction of page requests traced, 0..1. Default 1. */
  sampleRate?: number;
  /** Requests whose URL contains the string, matches the RegExp or passes the predicate are not traced. One may stand alone. */
  ignore?: UrlRules;
  /** Batch delay, ms. Default 3000. */
  flushIntervalMs?: number;
  /** Most segments queued (also at most 2 MiB encoded). Default 500. */
  maxQueueSize?: number;
  /** false disables the agent. Default true. */
  enabled?: boolean;
  /** Reporter override (e.g. an InMemoryReporter in tests). */
  reporter?: Reporter;
}

/** Every option name, for the unknown-key check. */
export const OPTION_KEYS: ReadonlyArray<keyof BrowserAgentOptions> = [
  'service',
  'serviceInstance',
  'collector',
  'protocol',
  'propagateTo',
  'pagePath',
  'sampleRate',
  'ignore',
  'flushIntervalMs',
  'maxQueueSize',
  'enabled',
  'reporter',
];

/**
 * Names unknown keys (with the closest known one) and an unknown protocol, each once, on
 * the config channel: they are shown at the default log level. Never throws.
 */
export function checkOptions(options: BrowserAgentOptions): void {
  // The monitor module brings its own option names.
  reportUnknownKeys(options, (OPTION_KEYS as string[]).concat(options.monitor?.keys ?? []), 'option', diag.config);
  const p = options.protocol;
  if (p !== undefined && p !== 'http' && p !== 'grpc-web') diag.config(`unknown protocol ${typeof p == 'string' ? p : typeof p}; using grpc-web`);
}
