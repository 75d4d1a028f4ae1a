// HTTP overhead of tracing, same app, interleaved runs, autocannon with 10 connections:
// no agent, this agent, skywalking-backend-js and OpenTelemetry (sdk-trace-node +
// instrumentation-http + BatchSpanProcessor + OTLP/proto), each really exporting to a local
// sink that counts what arrives (a run that loses data is void). Plain and with one
// downstream call. Then RSS under load with the collector down. Needs `npm run build`.
// Loopback only; every wait is bounded and children die with this process.
//
// Environment: BENCH_DURATION (s, default 8), BENCH_WARMUP (s, 2), BENCH_ROUNDS (2),
// BENCH_RSS_DURATION (s, 15), BENCH_VARIANTS (comma list of variant ids, default
// none,ours,swjs,otel; extras: ours-noreport, als), BENCH_MODES (plain,downstream),
// BENCH_RSS=0 skips the RSS part. BENCH_RATE=<req/s> fixes the offered load. BENCH_AGENT_DIST=<other dist/esm> enables ours-alt and
// ours-noreport-alt (the agent loaded from there) to compare a change in one interleaved run.
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const env = process.env;
const DURATION = Number(env.BENCH_DURATION ?? 8);
const WARMUP = Number(env.BENCH_WARMUP ?? 2);
const ROUNDS = Number(env.BENCH_ROUNDS ?? 2);
const RSS_DURATION = Number(env.BENCH_RSS_DURATION ?? 15);
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
const MODES = (env.BENCH_MODES ?? 'plain,downstream').split(',').map((s) => s.trim());

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
    await load(url, WARMUP);
    if (v.sink) {
      // Whatever the warm-up produced is delivered before counting starts.
      const { served } = await ask(app, 'cpu', 'cpu');
      await ask(app, 'flush', 'flushed', 15_000);
      await waitFor(v.sink, served * v.perReq(mode));
      await ask(v.sink, 'reset', 'count');
    }
    const c0 = await ask(app, 'cpu', 'cpu');
    const r = await load(url, DURATION);
    const c1 = await ask(app, 'cpu', 'cpu');
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
  console.log(`| agent | req/s | vs no agent | server CPU µs/req | added µs/req | exported (received / expected) |`);
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows.filter((x) => x.mode === mode)) {
    const base = r.agent === 'no agent';
    const got =
      r.received === undefined
        ? '—'
        : `${r.received} / ${r.expected}${r.duplicates ? ` (+${r.duplicates} sent twice)` : ''}${r.void ? ' **VOID**' : ''}`;
    console.log(
      `| ${r.agent} | ${r.rps} | ${(r.ratio * 100).toFixed(0)}% | ${r.cpuPerReq.toFixed(1)} | ${base ? '—' : r.addedCpu.toFixed(1)} | ${got} |`,
    );
  }
}

// RSS under load with the collector down: segments pile up, the queue bound must hold.
const rss = [];
if (env.BENCH_RSS !== '0') {
  const dead = `127.0.0.1:${await closedPort()}`;
  const mb = (b) => (b / 1048576).toFixed(0);
  console.log(`\n### RSS under load (${RSS_DURATION} s) with the collector down\n`);
  console.log('| agent | start MB | peak MB | end MB | heap at end MB | req/s |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  // No agent first: what the service itself grows to under this load is the baseline.
  for (const v of ALL.filter((x) => x.id === 'none' || (x.id === 'ours' && built) || x.id === 'swjs')) {
    const app = start('./apps/app.mjs', { VARIANT: v.id, SINK: dead });
    try {
      const port = await ready(app);
      const first = (await ask(app, 'cpu', 'cpu')).rss;
      const samples = [first];
      const timer = setInterval(() => ask(app, 'cpu', 'cpu').then((m) => samples.push(m.rss), () => {}), 1000);
      const r = await load(`http://127.0.0.1:${port}/api`, RSS_DURATION);
      clearInterval(timer);
      const last = await ask(app, 'cpu', 'cpu');
      const end = last.rss;
      const peak = Math.max(...samples, end);
      rss.push({ agent: v.name, start: first, peak, end, heapUsed: last.heapUsed, samples, rps: r.requests.total / RSS_DURATION });
      console.log(`| ${v.name} | ${mb(first)} | ${mb(peak)} | ${mb(end)} | ${mb(last.heapUsed)} | ${(r.requests.total / RSS_DURATION).toFixed(0)} |`);
    } finally {
      await stop(app);
    }
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
  JSON.stringify({ date: new Date().toISOString(), machine, duration: DURATION, warmup: WARMUP, rounds: ROUNDS, connections: 10, rate: RATE || undefined, rows, rss, runs }, null, 2) + '\n',
);
console.log(`\n(results written to bench/${resultFile.slice(2)})`);
for (const c of [swSink, otlpSink, down]) c.kill();
process.exit(0);
