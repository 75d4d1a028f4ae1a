import { hostname } from 'node:os';
import { basename } from 'node:path';
import type { DiagLevel, DiagLogger, Limits, Reporter } from '../core/index.js';
import { DEFAULT_LIMITS, diag, parseDiagLevel } from '../core/index.js';

/** Options of {@link start}. Every one can also come from the environment (names in brackets); explicit options win. */
export interface NodeAgentOptions {
  /** Service name [SW_AGENT_NAME]. Default: npm_package_name or the main script's name. */
  service?: string;
  /** Instance name [SW_AGENT_INSTANCE]. Default `<hostname>-<pid>`. */
  serviceInstance?: string;
  /**
   * OAP gRPC `host:port` (or REST base URL / `host:port` with protocol 'http')
   * [SW_AGENT_COLLECTOR_BACKEND_SERVICES]. Default `127.0.0.1:11800`, with 'http' `127.0.0.1:12800`.
   */
  collector?: string;
  /** `grpc` (default) or `http` (OAP REST, `POST /v3/segments`) [SW_AGENT_PROTOCOL]. */
  protocol?: 'grpc' | 'http';
  /** Token sent as `authentication` [SW_AGENT_AUTHENTICATION]. */
  authentication?: string;
  /** TLS to the collector [SW_AGENT_SECURE]. */
  secure?: boolean;
  /** PEM text or file paths: custom CA, client certificate and key [SW_AGENT_TLS_CA, SW_AGENT_TLS_CERT, SW_AGENT_TLS_KEY]. */
  tls?: { ca?: string; cert?: string; key?: string };
  /** false turns the agent off entirely [SW_AGENT_DISABLE=true]. Default true. */
  enabled?: boolean;
  /** Fraction of new traces recorded, 0..1 [SW_AGENT_SAMPLE_RATE]. Default 1. */
  sampleRate?: number;
  /** Most new traces recorded per second; 0 = no limit [SW_AGENT_SAMPLES_PER_SECOND]. */
  samplesPerSecond?: number;
  /** Incoming paths not traced, globs (`*` within a segment, `**` across) [SW_TRACE_IGNORE_PATH, comma-separated]. */
  ignorePaths?: string[];
  /** Incoming methods not traced [SW_HTTP_IGNORE_METHOD]. Default none. */
  ignoreMethods?: string[];
  /** Incoming paths ending with these are not traced [SW_IGNORE_SUFFIX]. Default static-asset suffixes. */
  ignoreSuffixes?: string[];
  /**
   * Outgoing destinations that receive sw8 headers: hosts (`'api.example.com'`,
   * `'api.example.com:8080'`, `'*.svc.cluster.local'` for subdomains), origins
   * (`'http://10.0.0.5:8080'`), RegExps over the URL, or a predicate. Default: all.
   * Entries that are none of these are dropped with a diagnostic; an empty list, a list
   * with no usable entry, or a value of another type sends sw8 nowhere.
   */
  propagateTo?: Array<string | RegExp> | ((url: URL) => boolean);
  /** Trace outgoing requests made outside any traced request [SW_AGENT_TRACE_WITHOUT_PARENT]. Default false. */
  traceWithoutParent?: boolean;
  /** HTTP statuses at or above this mark spans as errors [SW_AGENT_ERROR_STATUS]. Default 400. */
  errorStatusThreshold?: number;
  /** Per-segment limits. */
  limits?: Partial<Limits>;
  /** Diagnostics level: none, error, warn, info, debug [SW_AGENT_LOGGING_LEVEL]. Default warn. */
  logLevel?: DiagLevel;
  /** Where diagnostics go. Default: the console (`[skywalking-tracing]` prefix). */
  logger?: DiagLogger;
  /** Most segments queued while the collector is slow or down [SW_AGENT_MAX_BUFFER_SIZE]. Default 10000. */
  maxBufferSize?: number;
  /** How long segments wait to be batched, ms [SW_AGENT_FLUSH_INTERVAL]. Default 1000. */
  flushIntervalMs?: number;
  /** Extra ManagementService instance properties; numbers and booleans are sent as text. */
  instanceProperties?: Record<string, string>;
  /** `http2` (default) or `grpc-js`: how the segment stream is written; same bytes on the wire. */
  grpcClient?: 'http2' | 'grpc-js';
  /** Use this reporter instead of the gRPC/HTTP one (e.g. an InMemoryReporter in tests). */
  reporter?: Reporter;
  /** Flush on SIGINT/SIGTERM/beforeExit. Default true. */
  flushOnExit?: boolean;
  /** Turn single instrumentations off, e.g. `{ pg: false }`. Default all on. */
  instrument?: {
    httpServer?: boolean;
    httpClient?: boolean;
    fetch?: boolean;
    pg?: boolean;
    mysql?: boolean;
    mysql2?: boolean;
    ioredis?: boolean;
    redis?: boolean;
    amqplib?: boolean;
    grpc?: boolean;
  };
  /** Record SQL bound parameters as `db.sql.parameters` [SW_SQL_TRACE_PARAMETERS]. Default false. */
  sqlTraceParameters?: boolean;
  /** Cut of `db.sql.parameters`, characters [SW_SQL_PARAMETERS_MAX_LENGTH]. Default 512. */
  sqlParametersMaxLength?: number;
}

/** Options after defaults, environment and validation (what `agent.options` shows). */
export interface ResolvedOptions {
  service: string;
  serviceInstance: string;
  collector: string;
  protocol: 'grpc' | 'http';
  authentication: string | undefined;
  secure: boolean;
  tls: { ca?: string; cert?: string; key?: string } | undefined;
  enabled: boolean;
  sampleRate: number;
  samplesPerSecond: number;
  ignorePath: (path: string) => boolean;
  ignoreMethods: Set<string>;
  ignoreSuffixes: string[];
  propagateTo: (url: URL) => boolean;
  traceWithoutParent: boolean;
  errorStatusThreshold: number;
  limits: Partial<Limits> | undefined;
  logLevel: DiagLevel;
  maxBufferSize: number;
  flushIntervalMs: number;
  instanceProperties: Record<string, string>;
  reporter: Reporter | undefined;
  grpcClient: 'http2' | 'grpc-js';
  flushOnExit: boolean;
  instrument: { httpServer: boolean; httpClient: boolean; fetch: boolean; pg: boolean; mysql: boolean; mysql2: boolean; ioredis: boolean; redis: boolean; amqplib: boolean; grpc: boolean };
  sqlTraceParameters: boolean;
  sqlParametersMaxLength: number;
}

const DEFAULT_SUFFIXES = ['.jpg', '.jpeg', '.js', '.css', '.png', '.bmp', '.gif', '.ico', '.mp3', '.mp4', '.svg', '.woff', '.woff2', '.map'];

type Env = Record<string, string | undefined>;

/**
 * Merges explicit options over the environment over defaults. Pure: reads only its
 * arguments, so it runs at start(), never at import. Invalid values get one diagnostic
 * and the default.
 */
export function resolveOptions(user: NodeAgentOptions = {}, env: Env = {}): ResolvedOptions {
  const str = (v: unknown, name: string): string | undefined => {
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v === 'string') return v.trim() || undefined;
    diag.warn(`option ${name} must be a string; ignored`);
    return undefined;
  };
  const num = (v: unknown, name: string, min: number, max: number): number | undefined => {
    if (v === undefined || v === null || v === '') return undefined;
    const n = typeof v === 'number' ? v : Number(v);
    if (Number.isFinite(n) && n >= min && n <= max) return n;
    diag.warn(`option ${name} must be a number in [${min}, ${max}]; ignored`);
    return undefined;
  };
  const bool = (v: unknown): boolean | undefined => {
    if (typeof v === 'boolean') return v;
    if (typeof v !== 'string' || v === '') return undefined;
    return /^(1|true|yes|on)$/i.test(v.trim()) ? true : /^(0|false|no|off)$/i.test(v.trim()) ? false : undefined;
  };
  // A list option: an array of strings, or (as in the environment) one comma-separated string.
  const list = (v: unknown, name: string): string[] | undefined => {
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
    if (!Array.isArray(v)) {
      diag.warn(`option ${name} must be a list of strings; ignored`);
      return undefined;
    }
    const good = v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim());
    if (good.length < v.length) diag.warn(`option ${name}: ${v.length - good.length} entries are not non-empty strings; ignored`);
    return good;
  };

  let service = str(user.service, 'service') ?? str(env.SW_AGENT_NAME, 'SW_AGENT_NAME');
  if (!service) {
    service = env.npm_package_name || basename(process.argv[1] ?? 'node', '.js').replace(/\.(mjs|cjs|ts)$/, '') || 'node-service';
    diag.warn(`no service name given (option "service" or SW_AGENT_NAME); using "${service}"`);
  }
  const serviceInstance =
    str(user.serviceInstance, 'serviceInstance') ?? str(env.SW_AGENT_INSTANCE, 'SW_AGENT_INSTANCE') ?? `${hostname()}-${process.pid}`;
  let protocol: 'grpc' | 'http' = 'grpc';
  const p = str(user.protocol, 'protocol') ?? str(env.SW_AGENT_PROTOCOL, 'SW_AGENT_PROTOCOL');
  if (p === 'http' || p === 'grpc') protocol = p;
  else if (p) diag.warn(`protocol must be "grpc" or "http"; using grpc`);
  const collectorRaw = str(user.collector, 'collector') ?? str(env.SW_AGENT_COLLECTOR_BACKEND_SERVICES, 'SW_AGENT_COLLECTOR_BACKEND_SERVICES');
  // skywalking-backend-js accepts a comma-separated list; we report to the first address.
  // The default is OAP's port for the protocol: 11800 gRPC, 12800 REST.
  const collector = collectorRaw?.split(',')[0]?.trim() || (protocol === 'http' ? '127.0.0.1:12800' : '127.0.0.1:11800');

  const tlsEnv = { ca: env.SW_AGENT_TLS_CA, cert: env.SW_AGENT_TLS_CERT, key: env.SW_AGENT_TLS_KEY };
  const tlsSrc = user.tls ?? (tlsEnv.ca || tlsEnv.cert || tlsEnv.key ? tlsEnv : undefined);
  const tls = tlsSrc ? { ca: tlsSrc.ca || undefined, cert: tlsSrc.cert || undefined, key: tlsSrc.key || undefined } : undefined;
  if (tls && !!tls.cert !== !!tls.key) diag.warn('tls: a client certificate needs both cert and key; mTLS off');

  const disabled = bool(env.SW_AGENT_DISABLE) === true;
  const enabled = flag(user.enabled, 'enabled') ?? !disabled;

  const globs = list(user.ignorePaths, 'ignorePaths') ?? list(env.SW_TRACE_IGNORE_PATH, 'SW_TRACE_IGNORE_PATH') ?? [];
  const globRes = globs.map(globToRegExp);
  const logLevel = logLevelOf(user, env);

  return {
    service,
    serviceInstance,
    collector,
    protocol,
    authentication: str(user.authentication, 'authentication') ?? str(env.SW_AGENT_AUTHENTICATION, 'SW_AGENT_AUTHENTICATION'),
    secure: flag(user.secure, 'secure') ?? bool(env.SW_AGENT_SECURE) ?? false,
    tls,
    enabled,
    sampleRate: num(user.sampleRate, 'sampleRate', 0, 1) ?? num(env.SW_AGENT_SAMPLE_RATE, 'SW_AGENT_SAMPLE_RATE', 0, 1) ?? 1,
    samplesPerSecond:
      num(user.samplesPerSecond, 'samplesPerSecond', 0, 1e9) ?? num(env.SW_AGENT_SAMPLES_PER_SECOND, 'SW_AGENT_SAMPLES_PER_SECOND', 0, 1e9) ?? 0,
    ignorePath: globRes.length ? (path) => globRes.some((re) => re.test(path)) : () => false,
    ignoreMethods: new Set((list(user.ignoreMethods, 'ignoreMethods') ?? list(env.SW_HTTP_IGNORE_METHOD, 'SW_HTTP_IGNORE_METHOD') ?? []).map((m) => m.toUpperCase())),
    ignoreSuffixes: (list(user.ignoreSuffixes, 'ignoreSuffixes') ?? list(env.SW_IGNORE_SUFFIX, 'SW_IGNORE_SUFFIX') ?? DEFAULT_SUFFIXES).map((s) => s.toLowerCase()),
    propagateTo: compileTargets(user.propagateTo),
    traceWithoutParent: flag(user.traceWithoutParent, 'traceWithoutParent') ?? bool(env.SW_AGENT_TRACE_WITHOUT_PARENT) ?? false,
    errorStatusThreshold: num(user.errorStatusThreshold, 'errorStatusThreshold', 100, 1000) ?? num(env.SW_AGENT_ERROR_STATUS, 'SW_AGENT_ERROR_STATUS', 100, 1000) ?? 400,
    limits: limitsOf(user.limits),
    logLevel,
    maxBufferSize: num(user.maxBufferSize, 'maxBufferSize', 1, 1e7) ?? num(env.SW_AGENT_MAX_BUFFER_SIZE, 'SW_AGENT_MAX_BUFFER_SIZE', 1, 1e7) ?? 10_000,
    flushIntervalMs: num(user.flushIntervalMs, 'flushIntervalMs', 0, 600_000) ?? num(env.SW_AGENT_FLUSH_INTERVAL, 'SW_AGENT_FLUSH_INTERVAL', 0, 600_000) ?? 1000,
    instanceProperties: propertiesOf(user.instanceProperties),
    reporter: reporterOf(user.reporter),
    grpcClient: grpcClientOf(user.grpcClient),
    flushOnExit: flag(user.flushOnExit, 'flushOnExit') ?? true,
    instrument: instrumentOf(user.instrument),
    sqlTraceParameters: flag(user.sqlTraceParameters, 'sqlTraceParameters') ?? bool(env.SW_SQL_TRACE_PARAMETERS) ?? false,
    sqlParametersMaxLength:
      num(user.sqlParametersMaxLength, 'sqlParametersMaxLength', 1, 1e6) ?? num(env.SW_SQL_PARAMETERS_MAX_LENGTH, 'SW_SQL_PARAMETERS_MAX_LENGTH', 1, 1e6) ?? 512,
  };
}

/** Known limit names with numbers >= 1; anything else is said once and left to the default. */
function limitsOf(v: unknown): Partial<Limits> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) {
    diag.warn('option limits must be an object such as { maxSpansPerSegment: 300 }; using the default limits');
    return undefined;
  }
  const out: Partial<Limits> = {};
  for (const [k, value] of Object.entries(v as Record<string, unknown>)) {
    if (!Object.hasOwn(DEFAULT_LIMITS, k)) {
      diag.warn(`limits.${k} is not a limit (known: ${Object.keys(DEFAULT_LIMITS).join(', ')}); ignored`);
      continue;
    }
    const key = k as keyof Limits;
    if (typeof value === 'number' && Number.isFinite(value) && value >= 1) out[key] = Math.floor(value);
    else if (value !== undefined) diag.warn(`limits.${k} must be a number >= 1; using the default ${DEFAULT_LIMITS[key]}`);
  }
  return out;
}

/** String values as they are, numbers and booleans as text; other values are dropped with a diagnostic. */
function propertiesOf(v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) {
    diag.warn('option instanceProperties must be an object of strings, e.g. { team: "payments" }; ignored');
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(v as Record<string, unknown>)) {
    if (typeof value === 'string') out[k] = value;
    else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') out[k] = String(value);
    else diag.warn(`instanceProperties.${k} must be a string; ignored`);
  }
  return out;
}

function reporterOf(v: unknown): Reporter | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof (v as { report?: unknown }).report === 'function') return v as Reporter;
  diag.warn('option reporter must have report(segment); using the gRPC/HTTP reporter');
  return undefined;
}

function grpcClientOf(v: unknown): 'http2' | 'grpc-js' {
  if (v === undefined || v === null || v === 'http2' || v === 'grpc-js') return (v ?? 'http2') as 'http2' | 'grpc-js';
  diag.warn(`option grpcClient must be "http2" or "grpc-js", not ${JSON.stringify(v)}; using http2`);
  return 'http2';
}

/** An explicit option that is set but not a boolean is a mistake worth saying. */
function flag(v: unknown, name: string): boolean | undefined {
  if (v === undefined || v === null || typeof v === 'boolean') return v ?? undefined;
  diag.warn(`option ${name} must be true or false; ignored`);
  return undefined;
}

function instrumentOf(v: unknown): ResolvedOptions['instrument'] {
  const all = { httpServer: true, httpClient: true, fetch: true, pg: true, mysql: true, mysql2: true, ioredis: true, redis: true, amqplib: true, grpc: true };
  if (v === undefined || v === null) return all;
  if (typeof v !== 'object' || Array.isArray(v)) {
    diag.warn('option instrument must be an object such as { fetch: false }; everything stays instrumented');
    return all;
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!(k in all)) diag.warn(`instrument.${k} is not an instrumentation (known: ${Object.keys(all).join(', ')}); ignored`);
  const out = { ...all };
  for (const k of Object.keys(all) as Array<keyof typeof all>) out[k] = flag(o[k], `instrument.${k}`) ?? true;
  return out;
}

/** The diagnostics level: the option, else SW_AGENT_LOGGING_LEVEL, else `warn`. */
export function logLevelOf(user: NodeAgentOptions, env: Env): DiagLevel {
  return (typeof user.logLevel === 'string' ? parseDiagLevel(user.logLevel) : undefined) ?? parseDiagLevel(env.SW_AGENT_LOGGING_LEVEL) ?? 'warn';
}

/** `*` matches within a path segment, `**` across segments, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp('^' + re + '$');
}

// A host, optionally with a port: names, IPv4, bracketed IPv6; `*.` before a name matches its subdomains.
const HOST = /^(?:\*\.)?(?:[a-z0-9_-]+\.)*[a-z0-9_-]+(?::\d{1,5})?$|^\[[0-9a-f:.]+\](?::\d{1,5})?$/i;

/**
 * The propagation check. Unset: every destination. A list: only its hosts, origins and
 * RegExps; entries that are none of these are dropped with a diagnostic, and an empty list
 * sends sw8 nowhere. Anything else is a mistake: with a diagnostic, sw8 goes nowhere, since
 * whoever set the option meant to restrict where trace headers go.
 */
function compileTargets(targets: unknown): (url: URL) => boolean {
  if (targets === undefined || targets === null) return () => true;
  if (typeof targets === 'function') {
    const fn = targets as (url: URL) => unknown;
    return (url) => {
      try {
        return fn(url) === true;
      } catch {
        return false;
      }
    };
  }
  if (!Array.isArray(targets)) {
    diag.warn('propagateTo must be a list of hosts, origins and RegExps, or a function; sw8 is sent nowhere');
    return () => false;
  }
  const hosts = new Set<string>();
  const suffixes: string[] = [];
  const origins = new Set<string>();
  const res: RegExp[] = [];
  for (const t of targets as unknown[]) {
    if (t instanceof RegExp) {
      // A global or sticky RegExp keeps lastIndex between test() calls: every other URL would miss.
      res.push(t.global || t.sticky ? new RegExp(t.source, t.flags.replace(/[gy]/g, '')) : t);
    } else if (typeof t === 'string' && t.includes('://')) {
      try {
        origins.add(new URL(t).origin);
      } catch {
        diag.warn(`propagateTo: "${t}" is not a URL; ignored`);
      }
    } else if (typeof t === 'string' && HOST.test(t.trim())) {
      const h = t.trim().toLowerCase();
      if (h.startsWith('*.')) suffixes.push(h.slice(1));
      else hosts.add(h);
    } else diag.warn(`propagateTo: ${typeof t === 'string' ? JSON.stringify(t) : String(t)} is not a host, origin or RegExp; ignored`);
  }
  if (hosts.size + suffixes.length + origins.size + res.length === 0) {
    if (targets.length > 0) diag.warn('propagateTo has no usable entry; sw8 is sent nowhere');
    return () => false;
  }
  return (url) =>
    origins.has(url.origin) ||
    hosts.has(url.host) ||
    hosts.has(url.hostname) ||
    suffixes.some((sfx) => url.hostname.endsWith(sfx)) ||
    res.some((re) => re.test(url.href));
}
