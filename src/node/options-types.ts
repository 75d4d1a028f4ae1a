// The Node agent's options as the user gives them and as start() resolves them, and the list
// of option names that unknown keys are checked against.
import type { DiagLevel, DiagLogger, Limits, Reporter } from '../core/index.js';
import type { InstrumentationName } from './instrumentation-names.js';
import type { TelemetryOptions, TelemetryUserOptions } from './telemetry-options.js';

/** Options of {@link start}. Every one can also come from the environment (names in brackets); explicit options win. */
export interface NodeAgentOptions extends TelemetryUserOptions {
  /** Service name [SW_AGENT_NAME]. Default: npm_package_name or the main script's name. */
  service?: string;
  /** Instance name [SW_AGENT_INSTANCE]. Default `<hostname>-<pid>`. */
  serviceInstance?: string;
  /**
   * OAP gRPC `host:port` (or REST base URL / `host:port` with protocol 'http')
   * [SW_AGENT_COLLECTOR_BACKEND_SERVICES]. Default `127.0.0.1:11800`, with 'http' `127.0.0.1:12800`.
   * A URL given for gRPC is used as its `host:port`, with a warning (`https://` turns TLS on
   * unless `secure` is set; no port: 11800, or 443 with `https://`).
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
  propagateTo?: string | RegExp | Array<string | RegExp> | ((url: URL) => boolean);
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
  /**
   * Turn single instrumentations off, e.g. `{ pg: false }`. Default all on. The log bridges
   * (`pino`, `winston`, `bunyan`) send records at or above `logReporterLevel` to OAP's log service.
   */
  instrument?: Partial<Record<InstrumentKey, boolean>>;
  /**
   * Instrumentations turned off by name [SW_AGENT_DISABLE_PLUGINS, comma-separated]: the
   * plugin names of skywalking-backend-js (`Http`, `MySQLPlugin`) or plain library names
   * (`http`, `mysql`, `pg`); `http` turns off the http server and client instrumentation.
   */
  disablePlugins?: string[];
  /** Database instrumentations record statement parameters (`db.sql.parameters`) [SW_SQL_TRACE_PARAMETERS]. Default false. */
  sqlTraceParameters?: boolean;
  /** Longest recorded parameter text, characters [SW_SQL_PARAMETERS_MAX_LENGTH]. Default 512. */
  sqlParametersMaxLength?: number;
}

/**
 * Every option name, checked against NodeAgentOptions by the compiler, so that a key the
 * user misspells (`colector`, `serviceName`) is named instead of quietly ignored.
 */
export const OPTION_KEYS: Readonly<Record<keyof NodeAgentOptions, true>> = {
  service: true,
  serviceInstance: true,
  collector: true,
  protocol: true,
  authentication: true,
  secure: true,
  tls: true,
  enabled: true,
  sampleRate: true,
  samplesPerSecond: true,
  ignorePaths: true,
  ignoreMethods: true,
  ignoreSuffixes: true,
  propagateTo: true,
  traceWithoutParent: true,
  errorStatusThreshold: true,
  limits: true,
  logLevel: true,
  logger: true,
  maxBufferSize: true,
  flushIntervalMs: true,
  instanceProperties: true,
  grpcClient: true,
  reporter: true,
  flushOnExit: true,
  instrument: true,
  disablePlugins: true,
  sqlTraceParameters: true,
  sqlParametersMaxLength: true,
  meterIntervalMs: true,
  runtimeMetrics: true,
  logReporterLevel: true,
  logConsole: true,
  logTraceIds: true,
  maxLogQueueSize: true,
};
export const TLS_KEYS = ['ca', 'cert', 'key'] as const;
/** The instrumentations `instrument` can turn off, one key each. */
export const INSTRUMENT_KEYS = ['httpServer', 'httpClient', 'fetch', 'pg', 'mysql', 'mysql2', 'ioredis', 'redis', 'amqplib', 'grpc', 'pino', 'winston', 'bunyan'] as const;
/** One of {@link INSTRUMENT_KEYS}. */
export type InstrumentKey = (typeof INSTRUMENT_KEYS)[number];
export const LEVELS: readonly DiagLevel[] = ['none', 'error', 'warn', 'info', 'debug'];

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
  instrument: Record<InstrumentKey, boolean>;
  /** Canonical names of the instrumentations turned off (`disablePlugins`); each instrumentation checks its own. */
  disablePlugins: ReadonlySet<InstrumentationName>;
  /** Read by the database instrumentations: record statement parameters. */
  sqlTraceParameters: boolean;
  /** Read by the database instrumentations: longest recorded parameter text. */
  sqlParametersMaxLength: number;
  /** Meters and logs (telemetry-options.ts). */
  telemetry: TelemetryOptions;
}
