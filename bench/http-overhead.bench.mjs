// HTTP overhead of tracing, same app, interleaved runs, autocannon with 10 connections:
// no agent, this agent, skywalking-backend-js and OpenTelemetry (sdk-trace-node +
// instrumentation-http + BatchSpanProcessor + OTLP/proto), each really exporting to a local
// sink that counts what arrives. Plain and with one downstream call. Then RSS under load
// with the collector down. Needs `npm run build`. Loopback only; bounded durations.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const children = new Set();
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

function start(file, env = {}) {
  const child = fork(here(file), [], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
const ask = (child, msg, key) =>
  new Promise((resolve) => {
    const on = (m) => {
      if (m && key in m) {
        child.off('message', on);
        resolve(m);
      }
    };
    child.on('message', on);
    child.send(msg);
  });
const ready = (child) => new Promise((resolve, reject) => { child.once('message', (m) => resolve(m.port)); child.once('exit', (c) => reject(new Error('exited ' + c))); });
const stop = (child) => new Promise((r) => { if (child.exitCode !== null) return r(); child.once('exit', r); child.kill('SIGKILL'); });
const load = (url, duration) => autocannon({ url, connections: 10, duration, pipelining: 1 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function closedPort() {
  const s = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const p = s.address().port;
  await new Promise((r) => s.close(r));
  return p;
}

const swSink = start('./apps/sw-sink.mjs');
const otlpSink = start('./apps/otlp-sink.mjs');
const down = start('./apps/downstream.mjs');
const [swPort, otlpPort, downPort] = await Promise.all([ready(swSink), ready(otlpSink), ready(down)]);

const VARIANTS = [
  { name: 'no agent', variant: 'none' },
  { name: 'skywalking-tracing', variant: 'ours', sink: swSink, addr: `127.0.0.1:${swPort}`, perReq: () => 1 },
  { name: 'skywalking-backend-js', variant: 'swjs', sink: swSink, addr: `127.0.0.1:${swPort}`, perReq: () => 1 },
  { name: 'OpenTelemetry', variant: 'otel', sink: otlpSink, addr: `127.0.0.1:${otlpPort}`, perReq: (mode) => (mode === 'downstream' ? 2 : 1) },
];
const MODES = ['plain', 'downstream'];

async function measure(v, mode) {
  const app = start('./apps/app.mjs', { VARIANT: v.variant, SINK: v.addr ?? '', DOWNSTREAM: mode === 'downstream' ? `http://127.0.0.1:${downPort}` : '' });
  const port = await ready(app);
  const url = `http://127.0.0.1:${port}/api`;
  await load(url, 2);
  if (v.sink) {
    await ask(app, 'flush', 'flushed');
    await sleep(300);
    v.sink.send('reset');
  }
  const c0 = await ask(app, 'cpu', 'cpu');
  const r = await load(url, DURATION);
  const c1 = await ask(app, 'cpu', 'cpu');
  let received;
  if (v.sink) {
    await ask(app, 'flush', 'flushed');
    const want = r.requests.total * v.perReq(mode);
    for (let i = 0; i < 30; i++) {
      received = (await ask(v.sink, 'count', 'count')).count;
      if (received >= want * 0.98) break;
      await sleep(200);
    }
  }
  await stop(app);
  const requests = r.requests.total;
  return { rps: requests / DURATION, cpuPerReq: (c1.cpu - c0.cpu) / requests, requests, received, errors: r.errors + r.non2xx };
}

const results = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const mode of MODES) {
    for (const v of VARIANTS) {
      const m = await measure(v, mode);
      const key = `${mode}|${v.name}`;
      (results[key] ??= []).push(m);
      process.stderr.write(`round ${round + 1} ${mode} ${v.name}: ${m.rps.toFixed(0)} req/s, ${m.cpuPerReq.toFixed(1)} µs CPU/req` + (m.received !== undefined ? `, received ${m.received}/${m.requests * v.perReq(mode)}` : '') + '\n');
    }
  }
}

const rows = [];
for (const mode of MODES) {
  const base = results[`${mode}|no agent`];
  const avg = (list, f) => list.reduce((a, x) => a + f(x), 0) / list.length;
  const baseRps = avg(base, (x) => x.rps);
  const baseCpu = avg(base, (x) => x.cpuPerReq);
  for (const v of VARIANTS) {
    const list = results[`${mode}|${v.name}`];
    const rps = avg(list, (x) => x.rps);
    const cpu = avg(list, (x) => x.cpuPerReq);
    const delivered = v.sink ? avg(list, (x) => x.received / (x.requests * v.perReq(mode))) : 1;
    rows.push({ mode, agent: v.name, rps: Math.round(rps), ratio: rps / baseRps, cpuPerReq: cpu, addedCpu: cpu - baseCpu, delivered, void: delivered < 0.95 });
  }
}

console.log('| mode | agent | req/s | vs no agent | CPU µs/req | added µs/req | exported |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows)
  console.log(`| ${r.mode} | ${r.agent} | ${r.rps} | ${(r.ratio * 100).toFixed(0)}% | ${r.cpuPerReq.toFixed(1)} | ${r.agent === 'no agent' ? '—' : r.addedCpu.toFixed(1)} | ${r.agent === 'no agent' ? '—' : (r.delivered * 100).toFixed(0) + '%' + (r.void ? ' (VOID)' : '')} |`);

// RSS under load with the collector down.
const dead = `127.0.0.1:${await closedPort()}`;
const rss = [];
for (const v of VARIANTS.filter((x) => x.variant === 'ours' || x.variant === 'swjs')) {
  const app = start('./apps/app.mjs', { VARIANT: v.variant, SINK: dead });
  const port = await ready(app);
  const samples = [];
  const timer = setInterval(async () => samples.push((await ask(app, 'cpu', 'cpu')).rss), 1000);
  await load(`http://127.0.0.1:${port}/api`, Number(process.env.BENCH_RSS_DURATION ?? 15));
  clearInterval(timer);
  const end = (await ask(app, 'cpu', 'cpu')).rss;
  await stop(app);
  const mb = (b) => (b / 1048576).toFixed(0);
  rss.push({ agent: v.name, start: samples[0], peak: Math.max(...samples, end), end });
  console.log(`RSS with the collector down, ${v.name}: start ${mb(samples[0])} MB, peak ${mb(Math.max(...samples, end))} MB, end ${mb(end)} MB`);
}

mkdirSync(here('./results'), { recursive: true });
writeFileSync(here('./results/http-overhead.json'), JSON.stringify({ date: new Date().toISOString(), duration: DURATION, rounds: ROUNDS, rows, rss }, null, 2));
for (const c of [swSink, otlpSink, down]) c.kill();
process.exit(0);
