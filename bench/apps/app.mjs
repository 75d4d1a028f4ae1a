// The benchmarked service. VARIANT: none | ours | ours-noreport | swjs | otel | als, or
// ours-alt / ours-noreport-alt (agent from BENCH_AGENT_DIST). DOWNSTREAM: URL to call once
// per request (optional). SINK: collector address. Reports CPU time and requests over IPC.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { DOWNSTREAM = '', SINK = '' } = process.env;
// `<variant>-alt` loads the agent from BENCH_AGENT_DIST (another build's dist/esm), so a
// change can be measured against the current build in the same interleaved run.
const ALT = /-alt$/.test(process.env.VARIANT ?? '');
const VARIANT = (process.env.VARIANT ?? 'none').replace(/-alt$/, '');
const DIST = ALT && process.env.BENCH_AGENT_DIST
  ? new URL('node/index.js', `file://${process.env.BENCH_AGENT_DIST.replace(/\/?$/, '/')}`).href
  : '../../dist/esm/node/index.js';
let flush = async () => {};
let stats = () => undefined;

if (VARIANT === 'ours') {
  const { start } = await import(DIST);
  const agent = start({ service: 'bench-ours', serviceInstance: 'b1', collector: SINK, flushOnExit: false, traceWithoutParent: false });
  flush = () => agent.flush(5000);
  stats = () => agent.reporter.stats;
} else if (VARIANT === 'ours-noreport') {
  // Instrumentation only: segments are built and handed to a reporter that drops them.
  const { start, NoopReporter } = await import(DIST);
  start({ service: 'bench-ours', serviceInstance: 'b1', reporter: new NoopReporter(), flushOnExit: false });
} else if (VARIANT === 'swjs') {
  const agent = require('skywalking-backend-js').default;
  // Its default buffer (1000 segments, drained once a second) drops most segments at this
  // load; a larger buffer makes it export everything, like the other agents.
  agent.start({ serviceName: 'bench-swjs', serviceInstance: 'b1', collectorAddress: SINK, maxBufferSize: 100_000 });
  flush = () => agent.flush?.() ?? Promise.resolve();
} else if (VARIANT === 'otel') {
  const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
  const { registerInstrumentations } = require('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
  const processor = new BatchSpanProcessor(new OTLPTraceExporter({ url: `http://${SINK}/v1/traces` }));
  const provider = new NodeTracerProvider({ spanProcessors: [processor] });
  provider.register();
  registerInstrumentations({ instrumentations: [new HttpInstrumentation()] });
  flush = () => processor.forceFlush();
}

// Isolates AsyncLocalStorage's own cost (Node 20 implements it with async_hooks).
let wrap = (fn) => fn;
if (VARIANT === 'als') {
  const { AsyncLocalStorage } = await import('node:async_hooks');
  const als = new AsyncLocalStorage();
  wrap = (fn) => (req, res) => als.run({ req }, () => fn(req, res));
}

// Required after the agents started, so every agent sees a patchable http module.
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
const downstream = DOWNSTREAM ? new URL(DOWNSTREAM) : undefined;

let served = 0;
const server = http.createServer(wrap((req, res) => {
  served++;
  if (!downstream) {
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
    return;
  }
  http
    .get({ host: downstream.hostname, port: downstream.port, path: '/stock', agent }, (r) => {
      let body = '';
      r.on('data', (d) => (body += d));
      r.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(body);
      });
    })
    .on('error', () => res.writeHead(502).end());
}));
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));

process.on('message', async (m) => {
  if (m === 'cpu') {
    const u = process.cpuUsage();
    const mem = process.memoryUsage();
    process.send({ cpu: u.user + u.system, user: u.user, system: u.system, served, rss: mem.rss, heapUsed: mem.heapUsed });
  } else if (m === 'spaces') {
    // Where the memory is: V8's heap spaces (used / committed) and off-heap buffers.
    const { getHeapSpaceStatistics } = await import('node:v8');
    const mem = process.memoryUsage();
    process.send({ spaces: getHeapSpaceStatistics().map((x) => [x.space_name, x.space_used_size, x.space_size]), external: mem.external, arrayBuffers: mem.arrayBuffers, rss: mem.rss });
  } else if (m === 'exit') {
    process.exit(0);
  } else if (m === 'flush') {
    await flush().catch(() => {});
    process.send({ flushed: true, stats: stats() });
  }
});
