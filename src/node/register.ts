// Preload entry, no code change in the app:
//   node --import skywalking-tracing/node/register app.mjs
//   node --require skywalking-tracing/node/register app.js
// Configured from SW_AGENT_* environment variables. Runs before the app's modules load,
// so even `import { request } from 'node:http'` bindings see the instrumented functions,
// and libraries (pg, mysql, …) are patched as they load: by require, and by import
// through import-in-the-middle's loader, which start() registers for exactly the enabled
// libraries, and only when one of them is installed (the kill switch registers nothing).
import { diag } from '../core/index.js';
import { start } from './agent.js';
import { preloadEsmLoader } from './instrument/module-hooks.js';

try {
  preloadEsmLoader();
  start();
} catch (err) {
  diag.error('skywalking-tracing could not start; the app runs untraced', err);
}
