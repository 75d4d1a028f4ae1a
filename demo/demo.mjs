// Starts the whole demo: the local collector, the inventory service (traced by the
// preload flag, no code change) and the API (traced by start()), which serves the page.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startCollector } from 'skywalking-tracing/collector';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));

/** How long a child may take to stop after SIGTERM before it gets SIGKILL. */
const STOP_GRACE_MS = 3000;

/** `code 1` or `signal SIGKILL`: how a child ended. */
export const howItEnded = (c) => (c.signal ? `signal ${c.signal}` : `code ${c.code}`);

/**
 * Forks one demo service. `exit` resolves once it has exited, by code or by signal: a
 * child killed by a signal has exitCode null (only signalCode is set), so the 'exit'
 * event, not exitCode, says whether it is gone. `ready` resolves with its port.
 */
function child(name, file, env, role, execArgv = []) {
  // detached: its own process group, so a terminal's Ctrl-C reaches only this process,
  // which then stops the children in order (otherwise they die first and look crashed).
  const proc = fork(here(file), [], { env: { ...process.env, ...env }, execArgv, detached: true, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const c = { name, proc, exited: false, code: null, signal: null };
  c.exit = new Promise((resolve) => {
    const done = (code, signal) => {
      if (c.exited) return;
      Object.assign(c, { exited: true, code, signal });
      resolve(c);
    };
    proc.once('exit', done);
    // A process that could not be spawned may never emit 'exit'.
    proc.on('error', () => proc.pid === undefined && done(null, null));
  });
  c.ready = new Promise((resolve, reject) => {
    proc.on('message', (m) => {
      if (m && m.listenError) reject(listenError(role, m.listenError.port, m.listenError.code, `${name} cannot listen`));
      else if (m && typeof m.port === 'number') resolve(m.port);
    });
    void c.exit.then(() => reject(new Error(`${name} exited (${howItEnded(c)}) before it was ready`)));
  });
  return c;
}

/** An error naming the port that could not be bound and which demo setting it is (`role`). */
function listenError(role, port, code, what) {
  const err = new Error(`${what}: port ${port} ${code === 'EADDRINUSE' ? 'is in use' : `cannot be used (${code})`}`);
  return Object.assign(err, { role, port, code });
}

/**
 * Starts the demo. Ports default to 8080 (page), 11800 and 12800 (collector); 0 picks free
 * ports. Resolves with the URLs, `stop()` (SIGTERM to the children, SIGKILL after 3 s, then
 * the collector), `kill()` (SIGKILL now, synchronous) and `childExited`, which resolves with
 * `{ name, code, signal }` when a service exits while the demo runs (never after stop()).
 * A port that cannot be bound rejects with an error carrying `role` ('page',
 * 'collector-grpc' or 'collector-http'), `port` and `code` (e.g. 'EADDRINUSE').
 */
export async function startDemo({ port = 8080, grpcPort = 11800, httpPort = 12800, inventoryPort = 0, inventoryAgent = 'skywalking-tracing' } = {}) {
  let collector;
  try {
    collector = await startCollector({ grpcPort, httpPort });
  } catch (err) {
    if (err && err.port !== undefined) throw listenError(err.kind === 'grpc' ? 'collector-grpc' : 'collector-http', err.port, err.code, `collector ${err.kind === 'grpc' ? 'gRPC' : 'HTTP'}`);
    throw err;
  }
  const children = [];
  let stopping = false;
  let stopped;
  let reportExit;
  const childExited = new Promise((resolve) => (reportExit = resolve));
  const add = (c) => {
    children.push(c);
    void c.exit.then(() => !stopping && reportExit({ name: c.name, code: c.code, signal: c.signal }));
    return c;
  };
  const kill = () => {
    stopping = true;
    for (const c of children) if (!c.exited) c.proc.kill('SIGKILL');
  };
  const terminate = async (c) => {
    if (c.exited) return;
    c.proc.kill('SIGTERM');
    const force = setTimeout(() => c.proc.kill('SIGKILL'), STOP_GRACE_MS);
    await c.exit;
    clearTimeout(force);
  };
  try {
    // The inventory runs under this package's preload, or (inventoryAgent:
    // 'skywalking-backend-js') under the official Node agent, to show both in one trace.
    const inventory = add(
      inventoryAgent === 'skywalking-backend-js'
        ? child('demo-inventory', '../test/fixtures/node/hop.cjs', { AGENT: 'swjs', SERVICE: 'demo-inventory', COLLECTOR: collector.grpcAddress }, 'inventory')
        : child(
            'demo-inventory',
            './inventory.mjs',
            {
              PORT: String(inventoryPort),
              SW_AGENT_NAME: 'demo-inventory',
              SW_AGENT_INSTANCE: 'demo-inventory-1',
              SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.grpcAddress,
            },
            'inventory',
            ['--import', 'skywalking-tracing/node/register'],
          ),
    );
    const invPort = await inventory.ready;
    const api = add(child('demo-api', './api.mjs', { PORT: String(port), COLLECTOR_GRPC: collector.grpcAddress, INVENTORY_URL: `http://127.0.0.1:${invPort}` }, 'page'));
    const apiPort = await api.ready;
    return {
      pageUrl: `http://127.0.0.1:${apiPort}/`,
      inventoryUrl: `http://127.0.0.1:${invPort}/`,
      viewerUrl: `${collector.httpUrl}/`,
      collector,
      childExited,
      kill,
      stop() {
        stopping = true;
        stopped ??= Promise.all(children.map(terminate)).then(() => collector.close());
        return stopped;
      },
    };
  } catch (err) {
    kill();
    await Promise.all(children.map((c) => c.exit));
    await collector.close();
    throw err;
  }
}
