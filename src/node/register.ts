// Preload entry, no code change in the app:
//   node --import skywalking-tracing/node/register app.mjs
//   node --require skywalking-tracing/node/register app.js
// Configured from SW_AGENT_* environment variables. Runs before the app's modules load,
// so even `import { request } from 'node:http'` bindings see the instrumented functions.
import { diag } from '../core/index.js';
import { start } from './agent.js';

try {
  start();
} catch (err) {
  diag.error('skywalking-tracing could not start; the app runs untraced', err);
}
