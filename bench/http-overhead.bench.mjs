// HTTP overhead of tracing, same app, interleaved runs, autocannon with 10 connections:
// no agent, this agent, skywalking-backend-js and OpenTelemetry (sdk-trace-node +
// instrumentation-http + BatchSpanProcessor + OTLP/proto), each really exporting to a local
// sink that counts what arrives (a run that loses data is void). Plain and with one
// downstream call. Then RSS under load with the collector down. Needs `npm run build`.
// Loopback only; every wait is bounded and children die with this process.
//
// Environment: BENCH_DURATION (s, default 8), BENCH_WARMUP (s, 2), BENCH_ROUNDS (2),
// BENCH_RSS_REQUESTS (request counts at which RSS is read with the collector down, default
// 20000,60000,200000), BENCH_VARIANTS (comma list of variant ids, default
// none,ours,swjs,otel; extras: ours-noreport, als), BENCH_MODES (plain,downstream),
// BENCH_RSS=0 skips the RSS part, BENCH_LOAD=0 the loading part. BENCH_RATE=<req/s> fixes the offered load. BENCH_AGENT_DIST=<other dist/esm> enables ours-alt and
// ours-noreport-alt (the agent loaded from there) to compare a change in one interleaved run.
import { execFileSync, fork } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const env = process.env;
const DURATION = Number(env.BENCH_DURATION ?? 8);
const WARMUP = Number(env.BENCH_WARMUP ?? 2);
const ROUNDS = Number(env.BENCH_ROUNDS ?? 2);
const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const children = new Set();
const killAll = () => children.forEach((c) => c.kill('SIGKILL'));
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));
// Hard stop: a hung child or sink must not keep `npm run bench` alive.
setTimeout(() => {
  console.error('http-overhead: gave up after 15 minutes');
  process.exit(1);
}, 15 * 60_000).unref();

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const withTimeout = (p, ms, what) =>
  Promise.race([p, sleep(ms).then(() => Promise.reject(new Error(`timeout: ${what}`)))]);

function start(file, extraEnv = {}) {
  const child = fork(here(file), [], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
/** Sends `msg` and resolves with the first answer carrying `key`. */
const ask = (child, msg, key, ms = 10_000) => {
  let on;
  const answer = new Promise((resolve) => {
    on = (m) => m && typeof m === 'object' && key in m && resolve(m);
    child.on('message', on);
    child.send(msg);
  });
  return withTimeout(answer, ms, `${key} from child`).finally(() => child.off('message', on));
};
const ready = (child) =>
  withTimeout(
    new Promise((resolve, reject) => {
      child.once('message', (m) => resolve(m.port));
      child.once('exit', (c) => reject(new Error('child exited with ' + c)));
    }),
    20_000,
    'child start',
  );
const stop = (child) =>
  new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r();
    child.once('exit', r);
    child.kill('SIGKILL');
  });
// BENCH_RATE caps the offered load (requests/s over all connections): at a rate every
// variant sustains, CPU per request compares equal work. At saturation the baseline's
// per-request kernel cost shrinks (more requests per wake-up), which inflates the
// "added" figure of any slower variant.
const RATE = Number(env.BENCH_RATE ?? 0);
const load = (url, duration) =>
  autocannon({ url, connections: 10, duration, pipelining: 1, ...(RATE > 0 ? { overallRate: RATE } : {}) });

async function closedPort() {
  const s = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const p = s.address().port;
  await new Promise((r) => s.close(r));
  return p;
}

const loadAtStart = os.loadavg();
const built = existsSync(here('../dist/esm/node/index.js'));
if (!built) console.error('http-overhead: dist/ missing (run `npm run build`); skipping skywalking-tracing');

const swSink = start('./apps/sw-sink.mjs');
const otlpSink = start('./apps/otlp-sink.mjs');
const down = start('./apps/downstream.mjs');
const [swPort, otlpPort, downPort] = await Promise.all([ready(swSink), ready(otlpSink), ready(down)]);
const sw = { sink: swSink, addr: `127.0.0.1:${swPort}` };
const otlp = { sink: otlpSink, addr: `127.0.0.1:${otlpPort}` };

// perReq: what the sink should receive per served request. SkyWalking: one segment (the
// exit span lives in the entry's segment). OpenTelemetry: one span per span (server, client).
const ALL = [
  { id: 'none', name: 'no agent' },
  { id: 'ours', name: 'skywalking-tracing', ...sw, perReq: () => 1, needsBuild: true },
  { id: 'swjs', name: 'skywalking-backend-js', ...sw, perReq: () => 1 },
  { id: 'otel', name: 'OpenTelemetry', ...otlp, perReq: (mode) => (mode === 'downstream' ? 2 : 1) },
  { id: 'ours-noreport', name: 'skywalking-tracing, no export', needsBuild: true },
  { id: 'als', name: 'AsyncLocalStorage only' },
  // Another build of the agent (BENCH_AGENT_DIST=/path/to/dist/esm), to measure a change.
  { id: 'ours-alt', name: 'skywalking-tracing (BENCH_AGENT_DIST)', ...sw, perReq: () => 1 },
  { id: 'ours-noreport-alt', name: 'skywalking-tracing, no export (BENCH_AGENT_DIST)' },
];
const wanted = (env.BENCH_VARIANTS ?? 'none,ours,swjs,otel').split(',').map((s) => s.trim());
if (!wanted.includes('none')) wanted.unshift('none');
const VARIANTS = ALL.filter((v) => wanted.includes(v.id) && (built || !v.needsBuild));
const MODES = (env.BENCH_MODES ?? 'plain,downstream').split(',').map((s) => s.trim()).filter(Boolean);

/**
 * Polls the sink until it holds `want` items, or nothing moved for 2 s (the rest is lost),
 * or 15 s passed. Returns the last count.
 */
async function waitFor(sink, want) {
  let last = { count: -1 };
  let still = 0;
  for (let i = 0; i < 60 && still < 8; i++) {
    const m = await ask(sink, 'count', 'count');
    still = m.count === last.count ? still + 1 : 0;
    last = m;
    if (m.count >= want) break;
    await sleep(250);
  }
  return last;
}

async function measure(v, mode) {
  const app = start('./apps/app.mjs', {
    VARIANT: v.id,
    SINK: v.addr ?? '',
    DOWNSTREAM: mode === 'downstream' ? `http://127.0.0.1:${downPort}` : '',
  });
  try {
    const port = await ready(app);
    const url = `http://127.0.0.1:${port}/api`;
    const idleRss = (await ask(app, 'cpu', 'cpu')).rss;
    await load(url, WARMUP);
    if (v.sink) {
      // Whatever the warm-up produced is delivered before counting starts.
      const { served } = await ask(app, 'cpu', 'cpu');
      await ask(app, 'flush', 'flushed', 15_000);
      await waitFor(v.sink, served * v.perReq(mode));
      await ask(v.sink, 'reset', 'count');
    }
    const c0 = await ask(app, 'cpu', 'cpu');
    // RSS sampled every 250 ms over the window: its peak, against the idle RSS before the warm-up.
    let peakRss = c0.rss;
    const sampler = setInterval(() => ask(app, 'cpu', 'cpu').then((m) => (peakRss = Math.max(peakRss, m.rss)), () => {}), 250);
    const r = await load(url, DURATION);
    clearInterval(sampler);
    const c1 = await ask(app, 'cpu', 'cpu');
    peakRss = Math.max(peakRss, c1.rss);
    // Requests the server handled in the window (autocannon's count misses those in flight).
    const requests = c1.served - c0.served;
    let received;
    let duplicates;
    let agentStats;
    if (v.sink) {
      agentStats = (await ask(app, 'flush', 'flushed', 15_000)).stats;
      const want = requests * v.perReq(mode);
      ({ count: received, duplicates } = await waitFor(v.sink, want));
    }
    return {
      clientRps: r.requests.total / DURATION,
      rps: requests / DURATION,
      cpuPerReq: (c1.cpu - c0.cpu) / requests,
      requests,
      idleRss,
      peakRss,
      expected: v.sink ? requests * v.perReq(mode) : undefined,
      received,
      duplicates,
      errors: r.errors + r.non2xx,
      agentStats,
    };
  } finally {
    await stop(app);
  }
}

const runs = [];
const results = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const mode of MODES) {
    for (const v of VARIANTS) {
      const m = await measure(v, mode);
      runs.push({ round: round + 1, mode, agent: v.name, ...m });
      (results[`${mode}|${v.id}`] ??= []).push(m);
      process.stderr.write(
        `round ${round + 1} ${mode} ${v.name}: ${m.rps.toFixed(0)} req/s, ${m.cpuPerReq.toFixed(1)} µs CPU/req` +
          (m.received !== undefined ? `, received ${m.received}/${m.expected}` : '') +
          (m.duplicates ? ` (+${m.duplicates} sent twice)` : '') +
          (m.errors ? `, ${m.errors} errors` : '') +
          '\n',
      );
    }
  }
}

const mib = (b) => (b / 1048576).toFixed(0);
const avg = (list, f) => list.reduce((a, x) => a + f(x), 0) / list.length;
const rows = [];
for (const mode of MODES) {
  const base = results[`${mode}|none`];
  const baseRps = avg(base, (x) => x.rps);
  const baseCpu = avg(base, (x) => x.cpuPerReq);
  for (const v of VARIANTS) {
    const list = results[`${mode}|${v.id}`];
    const rps = avg(list, (x) => x.rps);
    const cpu = avg(list, (x) => x.cpuPerReq);
    const peakRss = avg(list, (x) => x.peakRss);
    const received = v.sink ? list.reduce((a, x) => a + x.received, 0) : undefined;
    const expected = v.sink ? list.reduce((a, x) => a + x.expected, 0) : undefined;
    // Void when any single run lost more than 5 %: its CPU figure would be for less work.
    const worst = v.sink ? Math.min(...list.map((x) => x.received / x.expected)) : 1;
    rows.push({
      mode,
      agent: v.name,
      rps: Math.round(rps),
      ratio: rps / baseRps,
      cpuPerReq: cpu,
      addedCpu: cpu - baseCpu,
      peakRss,
      addedPeakRss: peakRss - avg(base, (x) => x.peakRss),
      idleRss: avg(list, (x) => x.idleRss),
      received,
      expected,
      delivered: v.sink ? received / expected : undefined,
      duplicates: v.sink ? list.reduce((a, x) => a + (x.duplicates ?? 0), 0) : undefined,
      void: worst < 0.95,
      errors: list.reduce((a, x) => a + x.errors, 0),
    });
  }
}

for (const mode of MODES) {
  console.log(`\n### ${mode === 'plain' ? 'Plain JSON answer' : 'One downstream HTTP call per request'}\n`);
  console.log(`| agent | req/s | vs no agent | server CPU µs/req | added µs/req | peak RSS MiB (added) | exported (received / expected) |`);
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows.filter((x) => x.mode === mode)) {
    const base = r.agent === 'no agent';
    const got =
      r.received === undefined
        ? '—'
        : `${r.received} / ${r.expected}${r.duplicates ? ` (+${r.duplicates} sent twice)` : ''}${r.void ? ' **VOID**' : ''}`;
    console.log(
      `| ${r.agent} | ${r.rps} | ${(r.ratio * 100).toFixed(0)}% | ${r.cpuPerReq.toFixed(1)} | ${base ? '—' : r.addedCpu.toFixed(1)} | ${mib(r.peakRss)}${base ? '' : ` (+${mib(r.addedPeakRss)})`} | ${got} |`,
    );
  }
}

// RSS under load with the collector down: segments pile up, the queue bound must hold.
// Measured at request counts (BENCH_RSS_REQUESTS, default 20000,60000,200000), not after a
// duration, so every agent is compared after the same work; the growth from the first to
// the last count shows whether memory is flat once the queue is full.
const rss = [];
const RSS_AT = (env.BENCH_RSS_REQUESTS ?? '20000,60000,200000').split(',').map(Number).filter((n) => n > 0).sort((a, b) => a - b);
if (env.BENCH_RSS !== '0') {
  const dead = `127.0.0.1:${await closedPort()}`;
  console.log(`\n### RSS with the collector down (RSS MiB after N requests; a closed port)\n`);
  console.log(`| agent | idle | ${RSS_AT.map((n) => `${n / 1000}k`).join(' | ')} | peak | heap at end | growth ${RSS_AT[0] / 1000}k→${RSS_AT.at(-1) / 1000}k | req/s |`);
  console.log(`| --- | ---: | ${RSS_AT.map(() => '---:').join(' | ')} | ---: | ---: | ---: | ---: |`);
  // No agent first: what the service itself grows to under this load is the baseline.
  const ids = ['none', 'ours', 'ours-alt', 'swjs'].filter((id) => wanted.includes(id));
  for (const v of VARIANTS.filter((x) => ids.includes(x.id))) {
    const app = start('./apps/app.mjs', { VARIANT: v.id, SINK: dead });
    try {
      const port = await ready(app);
      const first = (await ask(app, 'cpu', 'cpu')).rss;
      let peak = first;
      const timer = setInterval(() => ask(app, 'cpu', 'cpu').then((m) => (peak = Math.max(peak, m.rss)), () => {}), 250);
      const at = [];
      let done = 0;
      const t0 = Date.now();
      for (const n of RSS_AT) {
        await autocannon({ url: `http://127.0.0.1:${port}/api`, connections: 10, amount: n - done, pipelining: 1, ...(RATE > 0 ? { overallRate: RATE } : {}) });
        done = n;
        const m = await ask(app, 'cpu', 'cpu');
        peak = Math.max(peak, m.rss);
        at.push({ requests: n, rss: m.rss, heapUsed: m.heapUsed });
      }
      clearInterval(timer);
      const rps = done / ((Date.now() - t0) / 1000);
      const last = at.at(-1);
      rss.push({ agent: v.name, start: first, peak, at, heapUsed: last.heapUsed, rps });
      console.log(`| ${v.name} | ${mib(first)} | ${at.map((x) => mib(x.rss)).join(' | ')} | ${mib(peak)} | ${mib(last.heapUsed)} | ${(last.rss - at[0].rss) / 1048576 >= 0 ? '+' : ''}${mib(last.rss - at[0].rss)} | ${rps.toFixed(0)} |`);
    } finally {
      await stop(app);
    }
  }
}

// Loading: a fresh process imports the agent and starts it (bench/apps/load-cost.mjs),
// five times per build; the medians.
const loading = [];
if (env.BENCH_LOAD !== '0') {
  const builds = [
    ...(built ? [{ name: 'skywalking-tracing', dist: here('../dist/esm') }] : []),
    ...(env.BENCH_AGENT_DIST ? [{ name: 'skywalking-tracing (BENCH_AGENT_DIST)', dist: env.BENCH_AGENT_DIST }] : []),
  ];
  const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  console.log('\n### Loading (median of 5 fresh processes)\n');
  console.log('| build | import: RSS MiB | import: ms | start(): RSS MiB | CommonJS modules | grpc-js / protobufjs loaded |');
  console.log('| --- | ---: | ---: | ---: | ---: | --- |');
  for (const b of builds) {
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(JSON.parse(execFileSync(process.execPath, [here('./apps/load-cost.mjs'), b.dist], { encoding: 'utf8', timeout: 30_000 })));
    const row = { build: b.name, importRss: median(runs.map((r) => r.importRss)), importMs: median(runs.map((r) => r.importMs)), startRss: median(runs.map((r) => r.startRss)), modules: runs[0].commonJsModules, grpcJs: runs[0].grpcJs, protobufjs: runs[0].protobufjs };
    loading.push(row);
    console.log(`| ${b.name} | ${(row.importRss / 1048576).toFixed(1)} | ${row.importMs.toFixed(0)} | ${(row.startRss / 1048576).toFixed(1)} | ${row.modules} | ${row.grpcJs ? 'yes' : 'no'} / ${row.protobufjs ? 'yes' : 'no'} |`);
  }
}

const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  memoryGB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
  loadAverageAtStart: loadAtStart,
  loadAverageAtEnd: os.loadavg(),
};
mkdirSync(here('./results'), { recursive: true });
// A fixed-rate run keeps its own file, so it never overwrites the saturating one.
const resultFile = `./results/http-overhead${RATE > 0 ? `-rate${RATE}` : ''}.json`;
writeFileSync(
  here(resultFile),
  JSON.stringify({ date: new Date().toISOString(), machine, duration: DURATION, warmup: WARMUP, rounds: ROUNDS, connections: 10, rate: RATE || undefined, rows, rss, loading, runs }, null, 2) + '\n',
);
console.log(`\n(results written to bench/${resultFile.slice(2)})`);
for (const c of [swSink, otlpSink, down]) c.kill();
process.exit(0);
