// SPA routes: History API calls, popstate and hash changes rename the page (spans and errors
// follow) and send a route page view, a BrowserPerfData with no navigation timings (client-js
// sent the first load's timings again).
import { PERF } from './send.js';
import type { Ctx } from './types.js';

/** The page's path: the location's, plus a hash route (`#/users`, `#!/users`) without its query. */
const routePath = (): string | undefined => (/^#!?\//.test(location.hash) ? location.pathname + location.hash.split('?')[0] : undefined);

/** Follows the routes until `ctx.signal` aborts (the History API wrappers are the agent's patches: it restores them). */
export function install(ctx: Ctx): void {
  let last: string;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Reported in a later task, so a router that names the route (agent.setPagePath) right after
  // navigating, even after an await, names this page view.
  const check = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const p = ctx.pathNow();
      if (p != last) {
        last = p;
        ctx.viewNo++;
        ctx.emitRecord(PERF, {});
      }
    });
  };
  const nav = () => {
    try {
      ctx.rename(routePath());
      check();
    } catch {
      // Never reaches the page.
    }
  };
  ctx.rename(routePath());
  last = ctx.pathNow();
  for (const k of ['pushState', 'replaceState'])
    ctx.patches.method(history, k, (original) =>
      function (this: History) {
        const r = original.apply(this, arguments as never);
        nav();
        return r;
      },
    );
  for (const t of ['popstate', 'hashchange']) addEventListener(t, nav, { signal: ctx.signal });
  ctx.renamed = check;
}
