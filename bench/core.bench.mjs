// Core cost per trace: one entry + one local + one exit span (the exit injects its
// propagation header), 3 tags each, ended and encoded to protobuf; plus sw8 encode and
// decode. The same scenario for the peers: skywalking-backend-js (its ContextManager span
// API and its google-protobuf SegmentObject) and OpenTelemetry JS (BasicTracerProvider,
// SimpleSpanProcessor, in-memory exporter, OTLP protobuf serialisation).
// Uses the built package: run `npm run build` first. Takes about 20 s.
import { createRequire } from 'node:module';
import { Bench } from 'tinybench';
import { decodeSw8, encodeSegment, encodeSw8, Tracer } from '../dist/esm/core/index.js';
import { context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';

const require = createRequire(import.meta.url);

// ---- skywalking-tracing ----
let ourBytes = 0;
const tracer = new Tracer({
  service: 'bench',
  serviceInstance: 'bench-1',
  reporter: { report: (s) => void (ourBytes += encodeSegment(s).length), flush: async () => {}, shutdown: async () => {} },
});
const ourHeaders = {};
const carrier = { inject: (k, v) => void (ourHeaders[k] = v) };
function ours() {
  const ctx = tracer.createTracingContext();
  const e = ctx.createEntrySpan('GET:/api/orders/:id');
  e.tag('http.method', 'GET').tag('url', 'http://x/api/orders/1').tag('http.status_code', '200');
  const l = ctx.createLocalSpan('load-order');
  l.tag('a', '1').tag('b', '2').tag('c', '3');
  const x = ctx.createExitSpan('/db', l, 'db:5432', carrier);
  x.tag('db.type', 'sql').tag('db.instance', 'orders').tag('db.statement', 'select 1');
  x.end();
  l.end();
  e.end();
}

// ---- skywalking-backend-js 0.9 (the official Node agent), its core without the agent ----
const swLib = (p) => require(`skywalking-backend-js/lib/${p}`);
const AgentConfig = swLib('config/AgentConfig');
Object.assign(AgentConfig.default, { serviceName: 'bench', serviceInstance: 'bench-1' });
AgentConfig.finalizeConfig(AgentConfig.default);
const ContextManager = swLib('trace/context/ContextManager').default;
const SpanContext = swLib('trace/context/SpanContext').default;
const { ContextCarrier } = swLib('trace/context/ContextCarrier');
const { emitter } = swLib('lib/EventEmitter');
const SegmentObjectAdapter = swLib('agent/protocol/grpc/SegmentObjectAdapter').default;
const { Component } = swLib('trace/Component');
let swBytes = 0;
let swSpans = 0;
emitter.on('segment-finished', (segment) => {
  swSpans += segment.spans.length;
  swBytes += new SegmentObjectAdapter(segment).serializeBinary().length;
  SpanContext.nActiveSegments = 0; // what its reporter does after each send; else it stops tracing
});
const swTag = (key, val) => ({ key, val, overridable: false });
const swHeaders = {};
function skywalkingBackendJs() {
  const e = ContextManager.current.newEntrySpan('GET:/api/orders/:id');
  e.component = Component.HTTP_SERVER;
  e.start();
  e.tag(swTag('http.method', 'GET')).tag(swTag('url', 'http://x/api/orders/1')).tag(swTag('http.status_code', '200'));
  const l = ContextManager.current.newLocalSpan('load-order');
  l.start();
  l.tag(swTag('a', '1')).tag(swTag('b', '2')).tag(swTag('c', '3'));
  const x = ContextManager.current.newExitSpan('/db', Component.HTTP);
  x.peer = 'db:5432';
  x.start();
  for (const item of x.inject().items) swHeaders[item.key] = item.value;
  x.tag(swTag('db.type', 'sql')).tag(swTag('db.instance', 'orders')).tag(swTag('db.statement', 'select 1'));
  x.stop();
  l.stop();
  e.stop();
}

// ---- OpenTelemetry JS ----
const otelExporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(otelExporter)] });
const otel = provider.getTracer('bench');
const w3c = new W3CTraceContextPropagator();
const otelHeaders = {};
let otelBytes = 0;
function openTelemetry() {
  const root = otel.startSpan('GET /api/orders/:id', { kind: 1, attributes: { 'http.method': 'GET', url: 'http://x/api/orders/1', 'http.status_code': 200 } });
  const rootCtx = trace.setSpan(context.active(), root);
  const l = otel.startSpan('load-order', { attributes: { a: '1', b: '2', c: '3' } }, rootCtx);
  const lCtx = trace.setSpan(rootCtx, l);
  const x = otel.startSpan('db', { kind: 2, attributes: { 'db.type': 'sql', 'db.instance': 'orders', 'db.statement': 'select 1' } }, lCtx);
  w3c.inject(trace.setSpan(lCtx, x), otelHeaders, { set: (c, k, v) => void (c[k] = v) });
  x.end();
  l.end();
  root.end();
  otelBytes += ProtobufTraceSerializer.serializeRequest(otelExporter.getFinishedSpans()).length;
  otelExporter.reset();
}

// ---- propagation headers ----
const fields = { sampled: true, traceId: '4c1a043530d31d2742fc5c5b72bb5f60', parentSegmentId: 'e4bea5db2d07b5a171fe39186d4b4104', parentSpanId: 2, parentService: 'orders', parentServiceInstance: 'orders-1', parentEndpoint: 'GET:/api/orders/:id', addressUsedAtClient: '10.0.0.5:8080' };
const sw8 = encodeSw8(fields);
if (!decodeSw8(sw8)) throw new Error('sw8 does not round-trip');
const traceparent = { traceparent: '00-4c1a043530d31d2742fc5c5b72bb5f60-e4bea5db2d07b5a1-01' };
const getter = { get: (c, k) => c[k], keys: (c) => Object.keys(c) };
void propagation;

// Bytes of one trace's protobuf, per scenario.
const once = (fn, read) => {
  const before = read();
  fn();
  return read() - before;
};
const sizes = [once(ours, () => ourBytes), once(skywalkingBackendJs, () => swBytes), once(openTelemetry, () => otelBytes)];

const bench = new Bench({ time: 2000, warmupTime: 500 });
bench
  .add('trace: skywalking-tracing', ours)
  .add('trace: skywalking-backend-js 0.9', skywalkingBackendJs)
  .add('trace: OpenTelemetry JS 2.x', openTelemetry)
  .add('sw8 encode: skywalking-tracing', () => encodeSw8(fields))
  .add('sw8 decode: skywalking-tracing (strict)', () => decodeSw8(sw8))
  .add('sw8 decode: skywalking-backend-js (lenient)', () => ContextCarrier.from({ sw8 }))
  .add('traceparent extract: OpenTelemetry JS', () => w3c.extract(context.active(), traceparent, getter));

await bench.run();

const ns = (t) => (t.result?.latency?.mean ?? t.result?.mean) * 1e6;
const base = ns(bench.tasks[0]);
console.log('Trace = one entry + one local + one exit span (header injected), 3 tags each, ended and encoded to protobuf.\n');
console.log('| task | ns/op (mean) | ± rme | vs skywalking-tracing trace |');
console.log('| --- | ---: | ---: | ---: |');
for (const t of bench.tasks) {
  const rme = t.result?.latency?.rme ?? t.result?.rme ?? 0;
  const rel = t.name.startsWith('trace:') ? `${(ns(t) / base).toFixed(1)}×` : '';
  console.log(`| ${t.name} | ${ns(t).toFixed(0)} | ${rme.toFixed(1)}% | ${rel} |`);
}
// A benchmark whose work was optimised away or silently disabled would be void.
if (!ourBytes || !swBytes || !otelBytes || !ourHeaders.sw8 || !swHeaders.sw8 || !otelHeaders.traceparent) throw new Error('a scenario encoded or propagated nothing: the benchmark is void');
if (swSpans % 3 !== 0) throw new Error('skywalking-backend-js did not record 3 spans per trace');
console.log(`\nprotobuf bytes per trace: skywalking-tracing ${sizes[0]}, skywalking-backend-js ${sizes[1]}, OpenTelemetry (OTLP) ${sizes[2]}`);
