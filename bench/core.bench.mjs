// Core cost per trace: one entry + one local + one exit span with 3 tags each, ended and
// encoded to protobuf; plus sw8 encode/decode. Compared with OpenTelemetry JS doing the
// same three spans. Uses the built package: run `npm run build` first.
import { Bench } from 'tinybench';
import { decodeSw8, encodeSegment, encodeSw8, Tracer } from '../dist/esm/core/index.js';
import { BasicTracerProvider, SimpleSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';

let encoded = 0;
const reporter = { report: (s) => void (encoded += encodeSegment(s).length), flush: async () => {}, shutdown: async () => {} };
const tracer = new Tracer({ service: 'bench', serviceInstance: 'bench-1', reporter });
const carrier = { inject() {} };

const otelExporter = new InMemorySpanExporter();
const serializer = ProtobufTraceSerializer;
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(otelExporter)] });
const otel = provider.getTracer('bench');
let otelBytes = 0;

const sw8 = encodeSw8({ sampled: true, traceId: '4c1a043530d31d2742fc5c5b72bb5f60', parentSegmentId: 'e4bea5db2d07b5a171fe39186d4b4104', parentSpanId: 2, parentService: 'orders', parentServiceInstance: 'orders-1', parentEndpoint: 'GET:/api/orders/:id', addressUsedAtClient: '10.0.0.5:8080' });

const bench = new Bench({ time: 1500, warmupTime: 300 });
bench
  .add('skywalking-tracing: trace (3 spans, 3 tags each) + protobuf', () => {
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
  })
  .add('OpenTelemetry JS: same 3 spans + OTLP protobuf', () => {
    const root = otel.startSpan('GET /api/orders/:id', { attributes: { 'http.method': 'GET', url: 'http://x/api/orders/1', 'http.status_code': 200 } });
    const ctx1 = { ...root.spanContext() };
    const l = otel.startSpan('load-order', { attributes: { a: '1', b: '2', c: '3' } });
    const x = otel.startSpan('db', { attributes: { 'db.type': 'sql', 'db.instance': 'orders', 'db.statement': 'select 1' } });
    x.end();
    l.end();
    root.end();
    void ctx1;
    const spans = otelExporter.getFinishedSpans();
    otelBytes += serializer.serializeRequest(spans).length;
    otelExporter.reset();
  })
  .add('encodeSw8', () => encodeSw8({ sampled: true, traceId: '4c1a043530d31d2742fc5c5b72bb5f60', parentSegmentId: 'e4bea5db2d07b5a171fe39186d4b4104', parentSpanId: 2, parentService: 'orders', parentServiceInstance: 'orders-1', parentEndpoint: 'GET:/api/orders/:id', addressUsedAtClient: '10.0.0.5:8080' }))
  .add('decodeSw8', () => decodeSw8(sw8));

await bench.run();
console.log('| task | ns/op (mean) | ops/s |');
console.log('| --- | ---: | ---: |');
for (const t of bench.tasks) {
  const r = t.result;
  const mean = r?.latency?.mean ?? r?.mean;
  const hz = r?.throughput?.mean ?? r?.hz;
  console.log(`| ${t.name} | ${(mean * 1e6).toFixed(0)} | ${Math.round(hz).toLocaleString('en')} |`);
}
if (!encoded || !otelBytes) throw new Error('nothing was encoded: the benchmark is void');
