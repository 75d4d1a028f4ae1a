import { hostname } from 'node:os';
import { basename } from 'node:path';
import type { DiagLevel, DiagLogger, Limits, Reporter } from '../core/index.js';
import { diag, parseDiagLevel } from '../core/index.js';

/** Options of {@link start}. Every one can also come from the environment (names in brackets); explicit options win. */
export interface NodeAgentOptions {
  /** Service name [SW_AGENT_NAME]. Default: npm_package_name or the main script's name. */
  service?: string;
  /** Instance name [SW_AGENT_INSTANCE]. Default `<hostname>-<pid>`. */
  serviceInstance?: string;
  /** OAP gRPC `host:port` (or REST base URL with protocol 'http') [SW_AGENT_COLLECTOR_BACKEND_SERVICES]. Default `127.0.0.1:11800`. */
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
   * Outgoing destinations that receive sw8 headers: origins/hosts (`'api.example.com'`,
   * `'http://10.0.0.5:8080'`), RegExps over the URL, or a predicate. Default: all.
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
  /** Extra ManagementService instance properties. */
  instanceProperties?: Record<string, string>;
  /** `http2` (default) or `grpc-js`: how the segment stream is written; same bytes on the wire. */
  grpcClient?: 'http2' | 'grpc-js';
  /** Use this reporter instead of the gRPC/HTTP one (e.g. an InMemoryReporter in tests). */
  reporter?: Reporter;
  /** Flush on SIGINT/SIGTERM/beforeExit. Default true. */
  flushOnExit?: boolean;
  /** Turn single instrumentations off. Default all on. */
  instrument?: { httpServer?: boolean; httpClient?: boolean; fetch?: boolean };
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
  instrument: { httpServer: boolean; httpClient: boolean; fetch: boolean };
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
  const list = (v: unknown): string[] | undefined => {
    if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string' && x !== '');
    if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
    return undefined;
  };

  let service = str(user.service, 'service') ?? str(env.SW_AGENT_NAME, 'SW_AGENT_NAME');
  if (!service) {
    service = env.npm_package_name || basename(process.argv[1] ?? 'node', '.js').replace(/\.(mjs|cjs|ts)$/, '') || 'node-service';
    diag.warn(`no service name given (option "service" or SW_AGENT_NAME); using "${service}"`);
  }
  const serviceInstance =
    str(user.serviceInstance, 'serviceInstance') ?? str(env.SW_AGENT_INSTANCE, 'SW_AGENT_INSTANCE') ?? `${hostname()}-${process.pid}`;
  const collectorRaw = str(user.collector, 'collector') ?? str(env.SW_AGENT_COLLECTOR_BACKEND_SERVICES, 'SW_AGENT_COLLECTOR_BACKEND_SERVICES');
  // skywalking-backend-js accepts a comma-separated list; we report to the first address.
  const collector = collectorRaw?.split(',')[0]?.trim() || '127.0.0.1:11800';
  let protocol: 'grpc' | 'http' = 'grpc';
  const p = str(user.protocol, 'protocol') ?? str(env.SW_AGENT_PROTOCOL, 'SW_AGENT_PROTOCOL');
  if (p === 'http' || p === 'grpc') protocol = p;
  else if (p) diag.warn(`protocol must be "grpc" or "http"; using grpc`);

  const tlsEnv = { ca: env.SW_AGENT_TLS_CA, cert: env.SW_AGENT_TLS_CERT, key: env.SW_AGENT_TLS_KEY };
  const tlsSrc = user.tls ?? (tlsEnv.ca || tlsEnv.cert || tlsEnv.key ? tlsEnv : undefined);
  const tls = tlsSrc ? { ca: tlsSrc.ca || undefined, cert: tlsSrc.cert || undefined, key: tlsSrc.key || undefined } : undefined;
  if (tls && !!tls.cert !== !!tls.key) diag.warn('tls: a client certificate needs both cert and key; mTLS off');

  const disabled = bool(env.SW_AGENT_DISABLE) === true;
  const enabled = typeof user.enabled === 'boolean' ? user.enabled : !disabled;

  const globs = list(user.ignorePaths) ?? list(env.SW_TRACE_IGNORE_PATH) ?? [];
  const globRes = globs.map(globToRegExp);
  const logLevel = logLevelOf(user, env);

  return {
    service,
    serviceInstance,
    collector,
    protocol,
    authentication: str(user.authentication, 'authentication') ?? str(env.SW_AGENT_AUTHENTICATION, 'SW_AGENT_AUTHENTICATION'),
    secure: typeof user.secure === 'boolean' ? user.secure : (bool(env.SW_AGENT_SECURE) ?? false),
    tls,
    enabled,
    sampleRate: num(user.sampleRate, 'sampleRate', 0, 1) ?? num(env.SW_AGENT_SAMPLE_RATE, 'SW_AGENT_SAMPLE_RATE', 0, 1) ?? 1,
    samplesPerSecond:
      num(user.samplesPerSecond, 'samplesPerSecond', 0, 1e9) ?? num(env.SW_AGENT_SAMPLES_PER_SECOND, 'SW_AGENT_SAMPLES_PER_SECOND', 0, 1e9) ?? 0,
    ignorePath: globRes.length ? (path) => globRes.some((re) => re.test(path)) : () => false,
    ignoreMethods: new Set((list(user.ignoreMethods) ?? list(env.SW_HTTP_IGNORE_METHOD) ?? []).map((m) => m.toUpperCase())),
    ignoreSuffixes: (list(user.ignoreSuffixes) ?? list(env.SW_IGNORE_SUFFIX) ?? DEFAULT_SUFFIXES).map((s) => s.toLowerCase()),
    propagateTo: compileTargets(user.propagateTo),
    traceWithoutParent: typeof user.traceWithoutParent === 'boolean' ? user.traceWithoutParent : (bool(env.SW_AGENT_TRACE_WITHOUT_PARENT) ?? false),
    errorStatusThreshold: num(user.errorStatusThreshold, 'errorStatusThreshold', 100, 1000) ?? num(env.SW_AGENT_ERROR_STATUS, 'SW_AGENT_ERROR_STATUS', 100, 1000) ?? 400,
    limits: user.limits,
    logLevel,
    maxBufferSize: num(user.maxBufferSize, 'maxBufferSize', 1, 1e7) ?? num(env.SW_AGENT_MAX_BUFFER_SIZE, 'SW_AGENT_MAX_BUFFER_SIZE', 1, 1e7) ?? 10_000,
    flushIntervalMs: num(user.flushIntervalMs, 'flushIntervalMs', 0, 600_000) ?? num(env.SW_AGENT_FLUSH_INTERVAL, 'SW_AGENT_FLUSH_INTERVAL', 0, 600_000) ?? 1000,
    instanceProperties: user.instanceProperties && typeof user.instanceProperties === 'object' ? user.instanceProperties : {},
    reporter: user.reporter,
    grpcClient: user.grpcClient === 'grpc-js' ? 'grpc-js' : 'http2',
    flushOnExit: user.flushOnExit !== false,
    instrument: {
      httpServer: user.instrument?.httpServer !== false,
      httpClient: user.instrument?.httpClient !== false,
      fetch: user.instrument?.fetch !== false,
    },
  };
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

function compileTargets(targets: NodeAgentOptions['propagateTo']): (url: URL) => boolean {
  if (typeof targets === 'function') {
    return (url) => {
      try {
        return targets(url) === true;
      } catch {
        return false;
      }
    };
  }
  if (!Array.isArray(targets)) {
    if (targets !== undefined) diag.warn('propagateTo must be a list of hosts, origins and RegExps, or a function; sw8 goes everywhere');
    return () => true;
  }
  const hosts = new Set<string>();
  const origins = new Set<string>();
  const res: RegExp[] = [];
  for (const t of targets) {
    if (t instanceof RegExp) res.push(t);
    else if (typeof t === 'string' && t.includes('://')) {
      try {
        origins.add(new URL(t).origin);
      } catch {
        diag.warn(`propagateTo: "${t}" is not a URL; ignored`);
      }
    } else if (typeof t === 'string') hosts.add(t.toLowerCase());
    else diag.warn(`propagateTo: ${String(t)} is not a host, origin or RegExp; ignored`);
  }
  return (url) => origins.has(url.origin) || hosts.has(url.host) || hosts.has(url.hostname) || res.some((re) => re.test(url.href));
}
