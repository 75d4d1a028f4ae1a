// skywalking-tracing/browser/monitor: errors, page load, web vitals, INP, resources and SPA
// routes, opted in with `start({ ..., monitor })`. A separate entry, so an app that only traces
// never pays for it.
import { install as errors } from './errors.js';
import { install as interactions } from './interactions.js';
import { install as pageLoad } from './page-load.js';
import { install as resources } from './resources.js';
import { install as routes } from './routes.js';
import { sender } from './send.js';
import type { Ctx, Monitor, MonitorContext, MonitorOptions } from './types.js';
import { install as vitals } from './vitals.js';
import { on } from './util.js';

export type { Monitor, MonitorContext, MonitorOptions } from './types.js';

// [module, its option, default]. Routes first: the page's first name may come from a hash route.
const MODULES: Array<[(ctx: Ctx) => void, keyof MonitorOptions, boolean]> = [
  [routes, 'spa', true],
  [errors, 'errors', true],
  [pageLoad, 'pageLoad', true],
  [vitals, 'webVitals', true],
  [interactions, 'interactions', true],
  [resources, 'resources', false],
];

/**
 * Browser monitoring, given to the browser `start()` as its `monitor` option:
 * `start({ service: 'web', monitor })`. Each signal has an option to switch it off.
 */
export const monitor: Monitor = Object.assign((agent: MonitorContext) => {
  const ac = new AbortController();
  const [send, flush] = sender(agent, ac.signal);
  const ctx = Object.assign(agent, { emitRecord: send, onHide: [], signal: ac.signal, viewNo: 0 }) as Ctx;
  for (const [m, key, def] of MODULES)
    if (on(ctx.opts[key], def))
      try {
        m(ctx);
      } catch {
        // A browser without what the module needs: that signal is not reported.
      }
  // Hidden or leaving (the agent's one listener of each calls this): the modules queue their
  // last records, then everything goes.
  ctx.hide = (leaving) => {
    for (const f of ctx.onHide)
      try {
        f();
      } catch {
        // Never reaches the page.
      }
    flush(leaving);
  };
  // Stopping: listeners and observers go with the signal, the History API wrappers with the
  // agent's patches; nothing is queued from then on.
  return () => {
    ac.abort();
    ctx.hooks.fail = ctx.caught = ctx.renamed = ctx.hide = undefined;
  };
}, {
  // The option names (the agent's unknown-option check and the script tag's data-* attributes).
  keys: 'monitor,errors,ajaxErrors,ignoreErrors,dropScriptErrors,extensionErrors,pageLoad,webVitals,interactions,resources,spa'.split(','),
});
