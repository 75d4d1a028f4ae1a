// Added CPU per `pg` query (`SELECT 1`) and per Redis GET (ioredis), on real servers
// started from Debian's binaries by the tests' own starters: no agent, this agent,
// skywalking-backend-js's plugins and OpenTelemetry's instrumentation-pg /
// instrumentation-ioredis, each in its own child process, interleaved rounds, one run.
// Every variant traces each operation as a root span (ours with traceWithoutParent,
// OpenTelemetry's ioredis with requireParentSpan: false) and hands it to an exporter that
// only counts (skywalking-backend-js: a collector that is down, so it buffers and drops),
// so the figures are the instrumentation's own cost, not an exporter's. A variant whose
// packages are not installed is skipped with one line; one that records no spans is void.
//
// Environment: BENCH_DATA_OPS (operations per round and kind, default 4000),
// BENCH_DATA_WARMUP (500), BENCH_ROUNDS (2), BENCH_DATA_VARIANTS (none,ours,swjs,otel).
import { fork } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const env = process.env;
const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const OPS = Number(env.BENCH_DATA_OPS ?? 4000);
const WARMUP = Number(env.BENCH_DATA_WARMUP ?? 500);
const ROUNDS = Number(env.BENCH_ROUNDS ?? 2);
const VARIANTS = (env.BENCH_DATA_VARIANTS ?? 'none,ours,swjs,otel').split(',');
const BUILD = `${root}.tmp/data-bench`;


// ---------------------------------------------------------------- parent

async function parent() {
  const children = new Set();
  process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));
  setTimeout(() => {
    console.error('data bench: gave up after 15 minutes');
    process.exit(1);
  }, 15 * 60_000).unref();

  // The starters and the agent are TypeScript: bundled once (their packages stay external).
  const esbuild = require('esbuild');
  rmSync(BUILD, { recursive: true, force: true });
  mkdirSync(BUILD, { recursive: true });
  await esbuild.build({
    entryPoints: { postgres: `${root}test/helpers/servers/postgres.ts`, redis: `${root}test/helpers/servers/redis.ts`, agent: `${root}src/node/index.ts` },
    outdir: BUILD,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'error',
  });
  let pg;
  let redis;
  try {
    const { hasPostgres, startPostgres } = await import(pathToFileURL(`${BUILD}/postgres.mjs`).href);
    const { hasRedis, startRedis } = await import(pathToFileURL(`${BUILD}/redis.mjs`).href);
    if (!hasPostgres() || !hasRedis()) return;
    [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
    const results = new Map(VARIANTS.map((v) => [v, []]));
    const skipped = new Map();
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of VARIANTS) {
        if (skipped.has(variant)) continue;
        const r = await runChild(children, variant, { PG_HOST: pg.host, PG_PORT: String(pg.port), PG_USER: pg.user, PG_DATABASE: pg.database, REDIS_PORT: String(redis.port) });
        if (r.skipped) {
          skipped.set(variant, r.skipped);
          console.log(`skipping ${variant}: ${r.skipped}`);
        } else results.get(variant).push(r);
      }
    }
    report(results);
  } finally {
    await Promise.all([pg?.stop(), redis?.stop()]);
    rmSync(BUILD, { recursive: true, force: true });
  }
}

function runChild(children, variant, extra) {
  return new Promise((resolve, reject) => {
    const c = fork(fileURLToPath(import.meta.url), [], { env: { ...env, ...extra, DATA_BENCH_ROLE: 'child', VARIANT: variant }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    children.add(c);
    let answer;
    c.on('message', (m) => (answer = m));
    c.once('exit', (code) => {
      children.delete(c);
      if (answer) resolve(answer);
      else reject(new Error(`${variant}: child exited with ${code} and no result`));
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

function report(results) {
  const NAMES = { none: 'no agent', ours: 'this agent', swjs: 'skywalking-backend-js', otel: 'OpenTelemetry' };
  const base = results.get('none') ?? [];
  const rows = [];
  for (const [variant, runs] of results) {
    if (runs.length === 0) continue;
    const row = { variant, name: NAMES[variant] ?? variant };
    for (const kind of ['pg', 'redis']) {
      const cpu = median(runs.map((r) => r[kind].cpuUs));
      const spans = Math.min(...runs.map((r) => r[kind].spans ?? Infinity));
      row[kind] = {
        cpuUs: cpu,
        addedUs: base.length && variant !== 'none' ? cpu - median(base.map((r) => r[kind].cpuUs)) : undefined,
        wallUs: median(runs.map((r) => r[kind].wallUs)),
        // A tracer that recorded nothing measured nothing.
        spans: Number.isFinite(spans) ? spans : undefined,
      };
    }
    rows.push(row);
  }
  const f = (n) => (n === undefined || Number.isNaN(n) ? '—' : n.toFixed(1));
  const cell = (k) => `${f(k.cpuUs)} | ${f(k.addedUs)} | ${k.spans === undefined ? 'n/a' : k.spans === 0 ? '0 (void)' : k.spans}`;
  console.log(`CPU µs per operation (median of ${ROUNDS} rounds × ${OPS} ops; user+system of the client process)\n`);
  console.log('| Variant | pg query | added | spans/round | Redis GET | added | spans/round |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) console.log(`| ${r.name} | ${cell(r.pg)} | ${cell(r.redis)} |`);
  mkdirSync(`${root}bench/results`, { recursive: true });
  writeFileSync(`${root}bench/results/data.json`, JSON.stringify({ date: new Date().toISOString(), node: process.version, ops: OPS, rounds: ROUNDS, rows }, null, 2) + '\n');
}

// ---------------------------------------------------------------- child

async function child() {
  const send = (m) => new Promise((r) => process.send(m, r));
  const variant = env.VARIANT;
  let counted = () => ({ pg: undefined, redis: undefined });
  let flush = async () => {};
  if (variant === 'ours') {
    const { start } = await import(pathToFileURL(`${BUILD}/agent.mjs`).href);
    const count = { pg: 0, redis: 0 };
    const reporter = {
      report(segment) {
        for (const s of segment.spans) {
          if (s.componentId === 22) count.pg++;
          else if (s.componentId === 7) count.redis++;
        }
      },
      flush: async () => {},
      shutdown: async () => {},
    };
    start({ service: 'bench-ours', serviceInstance: 'b1', reporter, flushOnExit: false, traceWithoutParent: true, logLevel: 'error' });
    counted = () => ({ ...count });
  } else if (variant === 'swjs') {
    const agent = require('skywalking-backend-js').default;
    // A collector that is not there: segments are built, buffered and dropped.
    agent.start({ serviceName: 'bench-swjs', serviceInstance: 'b1', collectorAddress: '127.0.0.1:9', maxBufferSize: 1000, logging: { level: 'error' } });
  } else if (variant === 'otel') {
    let PgInstrumentation;
    let IORedisInstrumentation;
    try {
      ({ PgInstrumentation } = require('@opentelemetry/instrumentation-pg'));
      ({ IORedisInstrumentation } = require('@opentelemetry/instrumentation-ioredis'));
    } catch {
      await send({ skipped: '@opentelemetry/instrumentation-pg and -ioredis are not installed (npm i -D @opentelemetry/instrumentation-pg@0.76.0 @opentelemetry/instrumentation-ioredis@0.71.0)' });
      return;
    }
    const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
    const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
    const { registerInstrumentations } = require('@opentelemetry/instrumentation');
    const count = { pg: 0, redis: 0 };
    const exporter = {
      export(spans, done) {
        for (const s of spans) {
          const system = s.attributes?.['db.system'] ?? s.attributes?.['db.system.name'];
          if (system === 'postgresql') count.pg++;
          else if (system === 'redis') count.redis++;
        }
        done({ code: 0 });
      },
      shutdown: async () => {},
      forceFlush: async () => {},
    };
    const processor = new BatchSpanProcessor(exporter, { maxQueueSize: 100_000, maxExportBatchSize: 1000 });
    new NodeTracerProvider({ spanProcessors: [processor] }).register();
    registerInstrumentations({ instrumentations: [new PgInstrumentation(), new IORedisInstrumentation({ requireParentSpan: false })] });
    flush = () => processor.forceFlush();
    counted = () => ({ ...count });
  }

  // Required after the tracers started, so each sees a module it can hook.
  const { Client } = require('pg');
  const IORedis = require('ioredis');
  const pg = new Client({ host: env.PG_HOST, port: Number(env.PG_PORT), user: env.PG_USER, database: env.PG_DATABASE });
  await pg.connect();
  const redis = new (IORedis.default ?? IORedis)({ host: '127.0.0.1', port: Number(env.REDIS_PORT) });
  await redis.set('bench:k', 'v');

  const measure = async (op) => {
    for (let i = 0; i < WARMUP; i++) await op();
    globalThis.gc?.();
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    for (let i = 0; i < OPS; i++) await op();
    const c = process.cpuUsage(c0);
    const wall = Number(process.hrtime.bigint() - t0) / 1000;
    return { cpuUs: (c.user + c.system) / OPS, wallUs: wall / OPS };
  };
  const before = counted();
  const pgResult = await measure(() => pg.query('SELECT 1'));
  const redisResult = await measure(() => redis.get('bench:k'));
  await flush();
  const after = counted();
  const spans = (k) => (after[k] === undefined ? undefined : after[k] - before[k]);
  await pg.end();
  redis.disconnect();
  await send({ pg: { ...pgResult, spans: spans('pg') }, redis: { ...redisResult, spans: spans('redis') } });
  process.exit(0);
}

if (env.DATA_BENCH_ROLE === 'child') await child();
else await parent();
