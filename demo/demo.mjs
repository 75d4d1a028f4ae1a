// Starts the whole demo: the local collector, the inventory service (traced by the
// preload flag, no code change) and the API (traced by start()), which serves the page.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startCollector } from 'skywalking-tracing/collector';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));

function child(file, env, execArgv = []) {
  const proc = fork(here(file), [], { env: { ...process.env, ...env }, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = new Promise((resolve, reject) => {
    proc.once('message', (m) => resolve(m.port));
    proc.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
  return { proc, ready };
}

/**
 * Starts the demo. Ports default to 8080 (page), 11800 and 12800 (collector); 0 picks free
 * ports. Resolves with the URLs and a stop() function.
 */
export async function startDemo({ port = 8080, grpcPort = 11800, httpPort = 12800, inventoryPort = 0, inventoryAgent = 'skywalking-tracing' } = {}) {
  const collector = await startCollector({ grpcPort, httpPort });
  const children = [];
  try {
    // The inventory runs under this package's preload, or (inventoryAgent:
    // 'skywalking-backend-js') under the official Node agent, to show both in one trace.
    const inventory =
      inventoryAgent === 'skywalking-backend-js'
        ? child('../test/fixtures/node/hop.cjs', { AGENT: 'swjs', SERVICE: 'demo-inventory', COLLECTOR: collector.grpcAddress })
        : child('./inventory.mjs', {
            PORT: String(inventoryPort),
            SW_AGENT_NAME: 'demo-inventory',
            SW_AGENT_INSTANCE: 'demo-inventory-1',
            SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.grpcAddress,
          }, ['--import', 'skywalking-tracing/node/register']);
    children.push(inventory.proc);
    const invPort = await inventory.ready;
    const api = child('./api.mjs', { PORT: String(port), COLLECTOR_GRPC: collector.grpcAddress, INVENTORY_URL: `http://127.0.0.1:${invPort}` });
    children.push(api.proc);
    const apiPort = await api.ready;
    return {
      pageUrl: `http://127.0.0.1:${apiPort}/`,
      inventoryUrl: `http://127.0.0.1:${invPort}/`,
      viewerUrl: `${collector.httpUrl}/`,
      collector,
      async stop() {
        for (const c of children) c.kill('SIGTERM');
        await Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r)))));
        await collector.close();
      },
    };
  } catch (err) {
    for (const c of children) c.kill('SIGKILL');
    await collector.close();
    throw err;
  }
}
