// Profiles the benchmarked app under load (not part of `npm run bench`): starts the sinks
// and the downstream, forks bench/apps/app.mjs with NODE_FLAGS-style V8 options
// (PROFILE_FLAGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p" or "--trace-gc-nvp"), loads it for
// PROFILE_DURATION seconds and prints CPU µs/request. VARIANT and MODE (plain|downstream).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const env = process.env;
const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const kids = [];
process.on('exit', () => kids.forEach((c) => c.kill('SIGKILL')));
const start = (file, extra = {}, execArgv = []) => {
  const c = fork(here(file), [], { env: { ...env, ...extra }, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  kids.push(c);
  return c;
};
const ready = (c) => new Promise((r) => c.once('message', (m) => r(m.port)));
const ask = (c, msg, key) => new Promise((r) => { const on = (m) => m && key in m && (c.off('message', on), r(m)); c.on('message', on); c.send(msg); });
const sink = start('./apps/sw-sink.mjs');
const down = start('./apps/downstream.mjs');
const [sinkPort, downPort] = await Promise.all([ready(sink), ready(down)]);
const mode = env.MODE ?? 'plain';
const app = start('./apps/app.mjs', { VARIANT: env.VARIANT ?? 'ours', SINK: `127.0.0.1:${sinkPort}`, DOWNSTREAM: mode === 'downstream' ? `http://127.0.0.1:${downPort}` : '' }, (env.PROFILE_FLAGS ?? '').split(' ').filter(Boolean));
const port = await ready(app);
const url = `http://127.0.0.1:${port}/api`;
await autocannon({ url, connections: 10, duration: 2 });
const c0 = await ask(app, 'cpu', 'cpu');
// PROFILE_SNAPSHOT=1 (with --heapsnapshot-signal=SIGUSR2 in PROFILE_FLAGS): a heap snapshot mid-load.
if (env.PROFILE_SNAPSHOT) setTimeout(() => app.kill('SIGUSR2'), Number(env.PROFILE_DURATION ?? 6) * 500);
await autocannon({ url, connections: 10, duration: Number(env.PROFILE_DURATION ?? 6) });
const c1 = await ask(app, 'cpu', 'cpu');
// Where the memory is at the end of the load: V8's spaces (committed MiB) and off-heap buffers.
const sp = await ask(app, 'spaces', 'spaces');
const mb = (b) => (b / 1048576).toFixed(1);
console.error(sp.spaces.filter((x) => x[2] > 0).map((x) => `${x[0]} ${mb(x[1])}/${mb(x[2])}`).join(', ') + `, external ${mb(sp.external)}, arrayBuffers ${mb(sp.arrayBuffers)}`);
console.error(`${env.VARIANT ?? 'ours'} ${mode}: ${((c1.cpu - c0.cpu) / (c1.served - c0.served)).toFixed(1)} µs/req, ${c1.served - c0.served} req, rss ${(c1.rss / 1048576).toFixed(0)} MiB`);
// A clean exit, so --cpu-prof writes its file.
app.send('exit');
await new Promise((r) => app.once('exit', r));
process.exit(0);
