// Preload entry, no code change in the app:
//   node --import skywalking-tracing/node/register app.mjs
//   node --require skywalking-tracing/node/register app.js
// Configured from SW_AGENT_* environment variables. Runs before the app's modules load,
// so even `import { request } from 'node:http'` bindings see the instrumented functions,
// and libraries (pg, mysql, …) are patched as they load: by require, and by import
// through import-in-the-middle's loader, registered here for exactly those modules.
import { diag } from '../core/index.js';
import { start } from './agent.js';
import { watchedModules } from './instrument/index.js';
import { registerEsmLoader } from './instrument/module-hooks.js';

try {
  // The kill switch leaves the process exactly as it was: no loader thread either.
  if (!/^(1|true|yes|on)$/i.test(process.env.SW_AGENT_DISABLE?.trim() ?? '')) registerEsmLoader(watchedModules());
  start();
} catch (err) {
  diag.error('skywalking-tracing could not start; the app runs untraced', err);
}
