import { hostname } from 'node:os';
import { basename } from 'node:path';
import type { DiagLevel, Limits, Reporter } from '../core/index.js';
import { DEFAULT_LIMITS, diag, parseDiagLevel } from '../core/index.js';
import { compilePropagateTo } from '../core/propagate-to.js';
import { closest, reportUnknownKeys } from '../core/options-check.js';
import { collectorAddress } from './collector-address.js';
import { disabledInstrumentations } from './instrumentation-names.js';
import { checkEnv } from './options-env.js';
import { INSTRUMENT_KEYS, LEVELS, OPTION_KEYS, TLS_KEYS, type NodeAgentOptions, type ResolvedOptions } from './options-types.js';
import { resolveTelemetryOptions } from './telemetry-options.js';
import { reportUnknownOptions } from './unknown-options.js';

export type { NodeAgentOptions, ResolvedOptions } from './options-types.js';

const DEFAULT_SUFFIXES = ['.jpg', '.jpeg', '.js', '.css', '.png', '.bmp', '.gif', '.ico', '.mp3', '.mp4', '.svg', '.woff', '.woff2', '.map'];

type Env = Record<string, string | undefined>;

/** The default `propagateTo`: every URL. Exits compare against it to skip building the URL. @internal */
export const propagateToAll = (_url: URL): boolean => true;

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

  const warn = (m: string) => diag.warn(m);
  reportUnknownOptions(user, Object.keys(OPTION_KEYS), warn);
  checkEnv(env, warn);

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
  const { collector, secureFromScheme } = collectorAddress(
    collectorRaw?.split(',')[0]?.trim() || (protocol === 'http' ? '127.0.0.1:12800' : '127.0.0.1:11800'),
    protocol,
    warn,
  );

  const tlsEnv = { ca: env.SW_AGENT_TLS_CA, cert: env.SW_AGENT_TLS_CERT, key: env.SW_AGENT_TLS_KEY };
  const tlsSrc = tlsOption(user.tls) ?? (tlsEnv.ca || tlsEnv.cert || tlsEnv.key ? tlsEnv : undefined);
  const tls = tlsSrc ? { ca: tlsSrc.ca || undefined, cert: tlsSrc.cert || undefined, key: tlsSrc.key || undefined } : undefined;
  if (tls && !!tls.cert !== !!tls.key) diag.warn('tls: a client certificate needs both cert and key; mTLS off');

  // SW_DISABLE is skywalking-backend-js's kill switch, SW_AGENT_DISABLE ours.
  const disabled = bool(env.SW_AGENT_DISABLE) === true || bool(env.SW_DISABLE) === true;
  const enabled = flag(user.enabled, 'enabled') ?? !disabled;
  const off = disabledInstrumentations(list(user.disablePlugins, 'disablePlugins') ?? list(env.SW_AGENT_DISABLE_PLUGINS, 'SW_AGENT_DISABLE_PLUGINS') ?? [], warn, (m) => diag.info(m));
  const instrument = instrumentOf(user.instrument);
  // disablePlugins names libraries; instrument keys are the same names but for http (server and client).
  if (off.has('http')) instrument.httpServer = instrument.httpClient = false;
  for (const k of INSTRUMENT_KEYS) if (off.has(k as never)) instrument[k] = false;
  if (off.has('grpc-js')) instrument.grpc = false;

  const globs = list(user.ignorePaths, 'ignorePaths') ?? list(env.SW_TRACE_IGNORE_PATH, 'SW_TRACE_IGNORE_PATH') ?? [];
  const globRes = globs.map(globToRegExp);
  const logLevel = logLevelOf(user, env);
  checkLogLevel(user, env, logLevel, warn);

  return {
    service,
    serviceInstance,
    collector,
    protocol,
    authentication: str(user.authentication, 'authentication') ?? str(env.SW_AGENT_AUTHENTICATION, 'SW_AGENT_AUTHENTICATION'),
    secure: flag(user.secure, 'secure') ?? bool(env.SW_AGENT_SECURE) ?? secureFromScheme ?? false,
    tls,
    enabled,
    sampleRate: num(user.sampleRate, 'sampleRate', 0, 1) ?? num(env.SW_AGENT_SAMPLE_RATE, 'SW_AGENT_SAMPLE_RATE', 0, 1) ?? 1,
    samplesPerSecond:
      num(user.samplesPerSecond, 'samplesPerSecond', 0, 1e9) ?? num(env.SW_AGENT_SAMPLES_PER_SECOND, 'SW_AGENT_SAMPLES_PER_SECOND', 0, 1e9) ?? 0,
    ignorePath: globRes.length ? (path) => globRes.some((re) => re.test(path)) : () => false,
    ignoreMethods: new Set((list(user.ignoreMethods, 'ignoreMethods') ?? list(env.SW_HTTP_IGNORE_METHOD, 'SW_HTTP_IGNORE_METHOD') ?? []).map((m) => m.toUpperCase())),
    ignoreSuffixes: (list(user.ignoreSuffixes, 'ignoreSuffixes') ?? list(env.SW_IGNORE_SUFFIX, 'SW_IGNORE_SUFFIX') ?? DEFAULT_SUFFIXES).map((s) => s.toLowerCase()),
    propagateTo: compilePropagateTo(user.propagateTo) ?? propagateToAll,
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
    instrument,
    disablePlugins: off,
    sqlTraceParameters: flag(user.sqlTraceParameters, 'sqlTraceParameters') ?? bool(env.SW_SQL_TRACE_PARAMETERS) ?? false,
    sqlParametersMaxLength:
      num(user.sqlParametersMaxLength, 'sqlParametersMaxLength', 0, 1e6) ?? num(env.SW_SQL_PARAMETERS_MAX_LENGTH, 'SW_SQL_PARAMETERS_MAX_LENGTH', 0, 1e6) ?? 512,
    telemetry: resolveTelemetryOptions(user, env),
  };
}

/** The `tls` option when it is an object of ca/cert/key; anything else is said and ignored. */
function tlsOption(v: unknown): { ca?: string; cert?: string; key?: string } | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) {
    diag.warn('option tls must be an object such as { ca: "/etc/oap/ca.pem" }; ignored');
    return undefined;
  }
  reportUnknownKeys(v, TLS_KEYS, 'tls field');
  return v as { ca?: string; cert?: string; key?: string };
}

/** Known limit names with numbers >= 1; anything else is said once and left to the default. */
function limitsOf(v: unknown): Partial<Limits> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) {
    diag.warn('option limits must be an object such as { maxSpansPerSegment: 300 }; using the default limits');
    return undefined;
  }
  const out: Partial<Limits> = {};
  reportUnknownKeys(v, Object.keys(DEFAULT_LIMITS), 'limits field');
  for (const [k, value] of Object.entries(v as Record<string, unknown>)) {
    if (!Object.hasOwn(DEFAULT_LIMITS, k)) continue;
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
  const all = Object.fromEntries(INSTRUMENT_KEYS.map((k) => [k, true])) as ResolvedOptions['instrument'];
  if (v === undefined || v === null) return all;
  if (typeof v !== 'object' || Array.isArray(v)) {
    diag.warn('option instrument must be an object such as { fetch: false }; everything stays instrumented');
    return all;
  }
  const o = v as Record<string, unknown>;
  reportUnknownKeys(o, INSTRUMENT_KEYS, 'instrument field');
  const out = { ...all };
  for (const k of INSTRUMENT_KEYS) out[k] = flag(o[k], `instrument.${k}`) ?? true;
  return out;
}

/** The diagnostics level: the option, else SW_AGENT_LOGGING_LEVEL, else `warn`. Says nothing: see {@link checkLogLevel}. */
export function logLevelOf(user: NodeAgentOptions, env: Env): DiagLevel {
  return (typeof user.logLevel === 'string' ? parseDiagLevel(user.logLevel) : undefined) ?? parseDiagLevel(env.SW_AGENT_LOGGING_LEVEL) ?? 'warn';
}

/** One diagnostic per level that is set but not a level, naming the levels and the closest one. */
function checkLogLevel(user: NodeAgentOptions, env: Env, used: DiagLevel, warn: (message: string) => void): void {
  const given: Array<[string, unknown]> = [
    ['option logLevel', user.logLevel],
    ['SW_AGENT_LOGGING_LEVEL', env.SW_AGENT_LOGGING_LEVEL],
  ];
  for (const [name, v] of given) {
    if (v === undefined || v === null || v === '' || (typeof v === 'string' && parseDiagLevel(v) !== undefined)) continue;
    const near = typeof v === 'string' ? closest(v, LEVELS) : undefined;
    const text = typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : typeof v;
    warn(`${name} ${text} is not a level (${LEVELS.join(', ')})${near ? `; did you mean "${near}"?` : ''}; using ${used}`);
  }
}

/** @internal `*` matches within a path segment, `**` across segments, `?` one character. */
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
