// skywalking-tracing/node: the Node runtime, plus the whole core (re-exported from the core
// entry as one list; test/pack/public-surface.test.ts fails when it misses a core name).
export { currentAgent, start } from './agent.js';
export type { NodeAgent } from './node-agent.js';
export { activeTrace } from './context.js';
export type { ActiveTrace } from './active-trace.js';
export { resolveOptions } from './options.js';
export type { NodeAgentOptions, ResolvedOptions } from './options-types.js';
export { createNodeReporter } from './reporter/index.js';
export type { NodeReporter, NodeReporterOptions } from './reporter/index.js';
export type { AgentReporter } from '../core/agent-reporter.js';
export type { BrowserForwardStats } from './reporter/browser-forwarder.js';
export { isSuppressed, runSuppressed } from './suppress.js';
export { createIngestHandler } from './ingest/index.js';
export type { IngestHandler, IngestHandlerOptions } from './ingest/index.js';
export {
  AlwaysOnSampler, atLeast, BatchReporter, ComponentId, consoleDiagLogger, ConsoleReporter,
  CORRELATION_MAX_KEYS, CORRELATION_MAX_VALUE_LENGTH, decodeBase64, decodeCorrelation, decodeSw8,
  decodeSw8x, DEFAULT_LIMITS, diag, encodeBase64, encodeCorrelation, encodeSegment, encodeSegmentCollection,
  encodeSw8, encodeSw8x, InMemoryReporter, levelTag, Log, LOG_LIMITS, makeLogData, MAX_ID_LENGTH,
  MAX_OPERATION_NAME_LENGTH, MAX_SERVICE_NAME_LENGTH, METER_LIMITS, MeterRegistry, NoopReporter,
  parseDiagLevel, parseLogLevel, parseLogThreshold, RandomIdGenerator, RateLimitingSampler, RatioSampler,
  recordCarrier, safeJson, setDiagLogger, Span, SW8, SW8_CORRELATION, SW8_MAX_LENGTH, SW8_X, systemClock,
  Tag, Tracer, TracingContext, TransportError,
} from '../core/index.js';
export type {
  BatchReporterOptions, BatchReporterStats, BatchTransport, Clock, ContextSnapshot, CounterHandle,
  CounterMode, CounterOptions, DiagLevel, DiagLogger, Extractable, HistogramHandle, IdGenerator, Injectable,
  KeyStringValuePair, Limits, LogData, LogInput, LogLevel, LogObject, LogOrigin, LogThreshold,
  LogTraceContext, MeterBucket, MeterLabel, MeterLabels, MeterOptions, MeterRegistryOptions, MeterSample,
  RefType, Reporter, Sampler, SegmentObject, SegmentReference, SendOptions, SpanLayer, SpanObject, SpanType,
  Sw8, Sw8Extension, TracerOptions, TracerStats, TracingContextOptions,
} from '../core/index.js';
