// `npm run size`: the browser budgets (issues 12 and 14), all min+gzip -9. Fails (exit 1) when
// the script-tag IIFE (tracing and monitoring) is over 10,000 B, a bundler's import of tracing
// alone over 8,192 B, tracing plus monitoring over 11,264 B (the script tag's budget plus 1 KB for
// the member names a bundler cannot mangle), or when the ESM build stops
// tree-shaking (an app importing only the core must not pay for the browser or Node
// runtimes, one tracing only not for monitoring). Run after `npm run build`.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const gz = (b) => gzipSync(b, { level: 9 }).length;
let over = 0;
const line = (ok, name, raw, zipped, limit, extra = '') => {
  if (!ok) over++;
  console.log(`${ok ? 'ok  ' : 'OVER'} ${name}: ${(raw / 1024).toFixed(1)} KB min, ${(zipped / 1024).toFixed(2)} KB min+gzip = ${zipped} bytes (budget ${limit})${extra}`);
};

const iife = readFileSync('dist/skywalking-tracing.iife.min.js');
// The script tag carries tracing and monitoring: smaller than skywalking-client-js (10,086 B).
const IIFE_BUDGET = 10000;
line(gz(iife) <= IIFE_BUDGET, 'dist/skywalking-tracing.iife.min.js', iife.length, gz(iife), IIFE_BUDGET);

// What a bundler user pays, importing from the published ESM files.
const cases = [
  { name: "import { Tracer, InMemoryReporter } from 'skywalking-tracing/core'", code: "import { Tracer, InMemoryReporter } from './dist/esm/core/index.js'; console.log(Tracer, InMemoryReporter);", limit: 8192, forbidden: ['XMLHttpRequest', 'collectInSync', 'application/grpc-web'] },
  { name: "import { start } from 'skywalking-tracing/browser'", code: "import { start } from './dist/esm/browser/index.js'; console.log(start);", limit: 8192, forbidden: ['node:', 'AsyncLocalStorage'] },
  // Monitoring is opted in by its own entry: tracing alone must not carry it (MONITOR_MARKS).
  { name: "import { start } from 'skywalking-tracing/browser' (no monitoring)", code: "import { start } from './dist/esm/browser/index.js'; console.log(start);", limit: Infinity, forbidden: ['/browser/perfData', 'largest-contentful-paint', 'unhandledrejection'] },
  { name: "… plus import { monitor } from 'skywalking-tracing/browser/monitor'", code: "import { start } from './dist/esm/browser/index.js'; import { monitor } from './dist/esm/browser/monitor/index.js'; console.log(start, monitor);", limit: 11264, forbidden: ['node:'] },
];
for (const c of cases) {
  const out = await build({ stdin: { contents: c.code, resolveDir: process.cwd(), loader: 'js' }, bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent' });
  const code = out.outputFiles[0].contents;
  const text = Buffer.from(code).toString();
  const leaked = c.forbidden.filter((f) => text.includes(f));
  line(gz(code) <= c.limit && leaked.length === 0, c.name, code.length, gz(code), c.limit, leaked.length ? ` — pulls in ${leaked.join(', ')}` : '');
}
process.exit(over ? 1 : 0);
