// skywalking-tracing/core: the platform-free model. Every public name is listed here, and
// the node and browser entries re-export all of it (test/pack/public-surface.test.ts holds
// each entry's names: a name added or removed here fails it until the list there says so).
// Internals (the report queue, truncation, limit resolution, wire enum tables, the encoders
// that take the internal ProtoWriter) are imported by the package from their own modules.
export { BatchReporter, TransportError } from './batch-reporter.js';
export type { BatchReporterOptions, BatchReporterStats, BatchTransport, SendOptions } from './batch-reporter.js';
export { decodeBase64, encodeBase64 } from './base64.js';
export { recordCarrier } from './carrier.js';
export type { Extractable, Injectable } from './carrier.js';
export { consoleDiagLogger, diag, parseDiagLevel, setDiagLogger } from './diag.js';
export type { DiagLevel, DiagLogger } from './diag.js';
export { encodeSegment, encodeSegmentCollection } from './encode/segment-codec.js';
export { MAX_ID_LENGTH, RandomIdGenerator, systemClock } from './ids.js';
export type { Clock, IdGenerator } from './ids.js';
export { DEFAULT_LIMITS, MAX_OPERATION_NAME_LENGTH, MAX_SERVICE_NAME_LENGTH } from './limits.js';
export type { Limits, TracerStats } from './limits.js';
export { atLeast, levelTag, parseLogLevel, parseLogThreshold } from './log/levels.js';
export type { LogLevel, LogThreshold } from './log/levels.js';
export { LOG_LIMITS } from './log/model.js';
export type { LogData, LogTraceContext } from './log/model.js';
export { makeLogData, safeJson } from './log/record.js';
export type { LogInput, LogOrigin } from './log/record.js';
export type { CounterHandle, CounterMode } from './meter/counter.js';
export type { HistogramHandle } from './meter/histogram.js';
export { METER_LIMITS } from './meter/model.js';
export type { MeterBucket, MeterLabel, MeterSample } from './meter/model.js';
export { MeterRegistry } from './meter/registry.js';
export type { CounterOptions, MeterLabels, MeterOptions, MeterRegistryOptions } from './meter/registry.js';
export { ConsoleReporter, InMemoryReporter, NoopReporter } from './reporter.js';
export type { Reporter } from './reporter.js';
export { AlwaysOnSampler, RateLimitingSampler, RatioSampler } from './sampler.js';
export type { Sampler } from './sampler.js';
export { ComponentId } from './segment.js';
export type {
  KeyStringValuePair,
  LogObject,
  RefType,
  SegmentObject,
  SegmentReference,
  SpanLayer,
  SpanObject,
  SpanType,
} from './segment.js';
export { Span } from './span.js';
export {
  CORRELATION_MAX_KEYS,
  CORRELATION_MAX_VALUE_LENGTH,
  decodeCorrelation,
  decodeSw8,
  decodeSw8x,
  encodeCorrelation,
  encodeSw8,
  encodeSw8x,
  SW8,
  SW8_CORRELATION,
  SW8_MAX_LENGTH,
  SW8_X,
} from './sw8.js';
export type { Sw8, Sw8Extension } from './sw8.js';
export { Log, Tag } from './tag.js';
export { Tracer } from './tracer.js';
export type { TracerOptions } from './tracer.js';
export { TracingContext } from './tracing-context.js';
export type { ContextSnapshot, TracingContextOptions } from './tracing-context.js';
