// What loading and starting the agent costs a fresh process: RSS before and after
// loading the given dist's node entry and after `start()` (collector on a closed port, so
// nothing is sent), the load's wall time, the CommonJS modules and the Node built-in
// modules it loads (natives; `process.moduleLoadList`).
// Usage: node bench/apps/load-cost.mjs <path to dist/esm or dist/cjs>; prints one JSON line.
// A dist/cjs path is loaded with require(), anything else with import().
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const dist = process.argv[2].replace(/\/?$/, '/');
const format = /(^|\/)cjs\/$/.test(dist) ? 'cjs' : 'esm';
const require = createRequire(import.meta.url);
const nativesBefore = new Set(process.moduleLoadList);
const before = process.memoryUsage().rss;
const t0 = performance.now();
const agentModule = format === 'cjs' ? require(`${dist}node/index.js`.replace(/^(?!\/)/, `${process.cwd()}/`)) : await import(pathToFileURL(`${dist}node/index.js`).href);
const importMs = performance.now() - t0;
const afterImport = process.memoryUsage().rss;
const natives = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ') && !nativesBefore.has(m)).length;
const agent = agentModule.start({ service: 'load-cost', serviceInstance: 'i', collector: '127.0.0.1:1', logLevel: 'none', flushOnExit: false });
// Let the first connection attempt (and what it loads) happen.
await new Promise((r) => setTimeout(r, 300));
const afterStart = process.memoryUsage().rss;
const modules = Object.keys(require.cache);
console.log(JSON.stringify({
  format,
  importRss: afterImport - before,
  startRss: afterStart - afterImport,
  importMs,
  natives,
  commonJsModules: modules.length,
  grpcJs: modules.some((f) => f.includes('/@grpc/grpc-js/')),
  protobufjs: modules.some((f) => f.includes('/protobufjs/')),
}));
await agent.shutdown(100);
process.exit(0);
