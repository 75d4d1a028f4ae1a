// `npm run demo`: browser → demo-api → demo-inventory, traced into the local collector.
import { startDemo } from './demo.mjs';

const num = (v, d) => (v === undefined || v === '' ? d : Number(v));
const demo = await startDemo({
  port: num(process.env.DEMO_PORT, 8080),
  grpcPort: num(process.env.COLLECTOR_GRPC_PORT, 11800),
  httpPort: num(process.env.COLLECTOR_HTTP_PORT, 12800),
  // DEMO_INVENTORY_AGENT=skywalking-backend-js runs the inventory under the official Node agent.
  inventoryAgent: process.env.DEMO_INVENTORY_AGENT || 'skywalking-tracing',
});
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
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await demo.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
