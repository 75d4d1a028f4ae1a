// What loading and starting the agent costs a fresh process: RSS before and after
// `import()` of the given dist's node entry and after `start()` (collector on a closed
// port, so nothing is sent), the import's wall time, and the CommonJS modules loaded.
// Usage: node bench/apps/load-cost.mjs <path to dist/esm>; prints one JSON line.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const entry = pathToFileURL(`${process.argv[2].replace(/\/?$/, '/')}node/index.js`).href;
const before = process.memoryUsage().rss;
const t0 = performance.now();
const agentModule = await import(entry);
const importMs = performance.now() - t0;
const afterImport = process.memoryUsage().rss;
const agent = agentModule.start({ service: 'load-cost', serviceInstance: 'i', collector: '127.0.0.1:1', logLevel: 'none', flushOnExit: false });
// Let the first connection attempt (and what it loads) happen.
await new Promise((r) => setTimeout(r, 300));
const afterStart = process.memoryUsage().rss;
const modules = Object.keys(createRequire(import.meta.url).cache);
console.log(JSON.stringify({
  importRss: afterImport - before,
  startRss: afterStart - afterImport,
  importMs,
  commonJsModules: modules.length,
  grpcJs: modules.some((f) => f.includes('/@grpc/grpc-js/')),
  protobufjs: modules.some((f) => f.includes('/protobufjs/')),
}));
await agent.shutdown(100);
process.exit(0);
