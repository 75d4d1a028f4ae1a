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

// Cost of a traced fetch in the page: interleaved rounds (untraced, then traced with a
// fresh agent), medians reported. Against a stub (only the instrumentation is measured)
// and against a local server (what a page sees: the same cost hidden in a real round trip).
const server = http.createServer((req, res) => {
  if (req.url === '/sw.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(shipped);
  if (req.url.startsWith('/api/')) return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script src="/sw.js"></script>');
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
const page = await browser.newPage();
await page.goto(url);
const measure = (stubbed, n, rounds) =>
  page.evaluate(
    async ({ stubbed, n, rounds }) => {
      const real = window.fetch;
      // A fetch that answers at once: what remains is the instrumentation's own cost.
      if (stubbed) window.fetch = () => Promise.resolve(new Response('ok', { status: 200 }));
      const run = async () => {
        const t0 = performance.now();
        for (let i = 0; i < n; i++) {
          const res = await fetch('/api/item?i=' + i);
          if (!stubbed) await res.text();
        }
        return ((performance.now() - t0) * 1000) / n;
      };
      const plain = [];
      const traced = [];
      await run(); // warm-up
      for (let r = 0; r < rounds; r++) {
        plain.push(await run());
        const agent = window.SkyWalking.start({ service: 'bench', serviceInstance: '1', collector: '/collector', flushIntervalMs: 600000, maxQueueSize: 1000000 });
        traced.push(await run());
        await agent.shutdown(10);
      }
      window.fetch = real;
      const median = (a) => a.sort((x, y) => x - y)[a.length >> 1];
      return { plain: median(plain), traced: median(traced) };
    },
    { stubbed, n, rounds },
  );
for (const [label, stubbed, n] of [['stubbed fetch', true, 20000], ['local server', false, 1000]]) {
  const r = await measure(stubbed, n, 5);
  console.log(`\nfetch in Chromium (${label}): ${r.plain.toFixed(2)} µs/call untraced, ${r.traced.toFixed(2)} µs/call traced: +${(r.traced - r.plain).toFixed(2)} µs per call (median of 5 interleaved rounds of ${n})`);
}
await browser.close();
server.close();
