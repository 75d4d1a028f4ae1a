// skywalking-tracing/node: the Node runtime, plus the whole core.
export { currentAgent, start } from './agent.js';
export type { NodeAgent } from './node-agent.js';
export { activeTrace } from './context.js';
export type { ActiveTrace } from './active-trace.js';
export { globToRegExp, resolveOptions } from './options.js';
export type { NodeAgentOptions, ResolvedOptions } from './options-types.js';
export { createNodeReporter } from './reporter/index.js';
export type { NodeReporter, NodeReporterOptions } from './reporter/index.js';
export type { AgentReporter } from '../core/agent-reporter.js';
export type { BrowserForwardStats } from './reporter/browser-forwarder.js';
export { isSuppressed, runSuppressed } from './suppress.js';
export { createIngestHandler } from './ingest/index.js';
export type { IngestHandler, IngestHandlerOptions } from './ingest/index.js';
export { BatchReporter, TransportError } from '../core/batch-reporter.js';
export type { BatchReporterOptions, BatchReporterStats, BatchTransport, SendOptions } from '../core/batch-reporter.js';
export { decodeBase64, encodeBase64 } from '../core/base64.js';
export { recordCarrier } from '../core/carrier.js';
export type { Extractable, Injectable } from '../core/carrier.js';
export { consoleDiagLogger, diag, parseDiagLevel, setDiagLogger } from '../core/diag.js';
export type { DiagLevel, DiagLogger } from '../core/diag.js';
export { encodeSegment, encodeSegmentCollection } from '../core/encode/segment-codec.js';
export { RandomIdGenerator, systemClock } from '../core/ids.js';
export type { Clock, IdGenerator } from '../core/ids.js';
export { DEFAULT_LIMITS, MAX_SERVICE_NAME_LENGTH, resolveLimits, truncate } from '../core/limits.js';
export type { Limits, TracerStats } from '../core/limits.js';
export { ReportQueue } from '../core/report-queue.js';
export type { ReportQueueOptions } from '../core/report-queue.js';
export { ConsoleReporter, InMemoryReporter, NoopReporter } from '../core/reporter.js';
export type { Reporter } from '../core/reporter.js';
export { AlwaysOnSampler, RateLimitingSampler, RatioSampler } from '../core/sampler.js';
export type { Sampler } from '../core/sampler.js';
export { ComponentId, REF_TYPE_NUMBER, SPAN_LAYER_NUMBER, SPAN_TYPE_NUMBER } from '../core/segment.js';
export type {
  KeyStringValuePair,
  LogObject,
  RefType,
  SegmentObject,
  SegmentReference,
  SpanLayer,
  SpanObject,
  SpanType,
} from '../core/segment.js';
export { Span } from '../core/span.js';
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
} from '../core/sw8.js';
export type { Sw8, Sw8Extension } from '../core/sw8.js';
export { Log, Tag } from '../core/tag.js';
export { BaseTracer, Tracer } from '../core/tracer.js';
export type { TracerOptions } from '../core/tracer.js';
export { TracingContext } from '../core/tracing-context.js';
export type { ContextSnapshot, TracingContextOptions } from '../core/tracing-context.js';
