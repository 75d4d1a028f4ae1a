// Browser agents side by side: bundle size (one esbuild configuration for all, minified,
// gzip -9) and the cost a traced fetch adds in Chromium (µs per call, against a stubbed
// fetch so only the instrumentation is measured). Needs `npm run build` for our IIFE.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const gz = (b) => gzipSync(b, { level: 9 }).length;
const kb = (n) => (n / 1024).toFixed(1) + ' KB';

const entries = [
  ['skywalking-tracing (this package)', 'ours.js'],
  ['skywalking-client-js', 'client-js.js'],
  ['OpenTelemetry web (fetch + XHR + OTLP)', 'otel-web.js'],
  ['OpenTelemetry web + zone.js', 'otel-web-zone.js'],
];
console.log('| bundle | min | min+gzip |');
console.log('| --- | ---: | ---: |');
for (const [name, file] of entries) {
  try {
    const out = await build({ entryPoints: [here('./entries/' + file)], bundle: true, minify: true, format: 'iife', platform: 'browser', target: 'es2020', write: false, logLevel: 'silent', define: { 'process.env.NODE_ENV': '"production"' } });
    const code = out.outputFiles[0].contents;
    console.log(`| ${name} | ${kb(code.length)} | ${kb(gz(code))} |`);
  } catch (err) {
    console.log(`| ${name} | build failed: ${String(err.message).split('\n')[0]} | |`);
  }
}
const shipped = readFileSync(here('../dist/skywalking-tracing.iife.min.js'));
console.log(`| skywalking-tracing as shipped (rollup + terser) | ${kb(shipped.length)} | ${kb(gz(shipped))} |`);

// Cost of a traced fetch in the page.
const server = http.createServer((req, res) => {
  if (req.url === '/sw.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(shipped);
  res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script src="/sw.js"></script>');
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
const page = await browser.newPage();
await page.goto(url);
const result = await page.evaluate(async () => {
  // A fetch that answers at once: what remains is the instrumentation's own cost.
  const stub = () => Promise.resolve(new Response('ok', { status: 200 }));
  const N = 20000;
  const run = async () => {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await fetch('/api/item?i=' + i);
    return ((performance.now() - t0) * 1000) / N;
  };
  window.fetch = stub;
  await run();
  const plain = await run();
  const agent = window.SkyWalking.start({ service: 'bench', serviceInstance: '1', collector: '/collector', flushIntervalMs: 600000, maxQueueSize: 100000 });
  await run();
  const traced = await run();
  await agent.shutdown(10);
  return { plain, traced };
});
console.log(`\nfetch in Chromium: ${result.plain.toFixed(2)} µs/call untraced, ${result.traced.toFixed(2)} µs/call traced: +${(result.traced - result.plain).toFixed(2)} µs per call`);
await browser.close();
server.close();
