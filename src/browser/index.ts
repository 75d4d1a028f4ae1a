// skywalking-tracing/browser: the browser runtime, plus the whole core (re-exported from the
// core entry as one list; test/pack/public-surface.test.ts fails when it misses a core name).
// Bundlers drop what an app does not import: `import { start }` carries none of the rest.
export { currentAgent, start } from './agent.js';
export type { BrowserAgent } from './agent.js';
export type { BrowserAgentOptions } from './options.js';
export type { PropagateTo, UrlRule, UrlRules } from '../core/propagate-to.js';
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
