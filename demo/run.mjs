// `npm run demo`: browser → demo-api → demo-inventory, traced into the local collector.
import { howItEnded, startDemo } from './demo.mjs';

// Which environment variable moves each port (named in the message when a port is busy).
const PORT_SETTINGS = {
  page: 'DEMO_PORT',
  'collector-grpc': 'COLLECTOR_GRPC_PORT',
  'collector-http': 'COLLECTOR_HTTP_PORT',
};

const fail = (line, code = 1) => {
  console.error(`demo: ${line}`);
  process.exit(code);
};

const port = (name, fallback) => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) fail(`${name}=${v} is not a port number (0 picks a free port)`, 2);
  return n;
};

let demo;
try {
  demo = await startDemo({
    port: port('DEMO_PORT', 8080),
    grpcPort: port('COLLECTOR_GRPC_PORT', 11800),
    httpPort: port('COLLECTOR_HTTP_PORT', 12800),
    // DEMO_INVENTORY_AGENT=skywalking-backend-js runs the inventory under the official Node agent.
    inventoryAgent: process.env.DEMO_INVENTORY_AGENT || 'skywalking-tracing',
  });
} catch (err) {
  const setting = PORT_SETTINGS[err?.role];
  if (setting) fail(`${err.message}; set ${setting} to another port (0 picks a free one), e.g. ${setting}=${err.port + 1} npm run demo`);
  fail(`could not start: ${err?.message ?? err}`);
}
console.log(`
skywalking-tracing demo

  1. Open the shop:        ${demo.pageUrl}   and click "Check out"
  2. See the trace:        ${demo.viewerUrl}
     (browser demo-web → demo-api → demo-inventory, one trace)

  collector gRPC:          ${demo.collector.grpcAddress}   (point any SkyWalking agent here)
  inventory service:       ${demo.inventoryUrl}

Ctrl-C to stop.
`);

let stopping = false;
const stop = (code) => {
  if (stopping) {
    // A second Ctrl-C: stop waiting for anything.
    demo.kill();
    process.exit(130);
  }
  stopping = true;
  demo.stop().then(
    () => process.exit(code),
    (err) => {
      console.error(`demo: stopping failed: ${err?.message ?? err}`);
      demo.kill();
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
// A service that dies while the demo runs leaves a broken demo: say so and stop.
void demo.childExited.then((c) => {
  console.error(`demo: ${c.name} exited (${howItEnded(c)}); stopping the demo`);
  stop(1);
});
