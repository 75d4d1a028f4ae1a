// Resource timings → BrowserResourcePerfData (opt-in): one record per resource with a duration
// and a size (OAP drops the others), the agent's own requests excluded, bounded per page.
import { RESOURCES } from './send.js';
import type { Ctx } from './types.js';
import { ms, observe, own } from './util.js';

// Resources reported per page (a page that polls forever would otherwise never stop).
const MAX = 200;

/** Reports resource timings until `ctx.signal` aborts. */
export function install(ctx: Ctx): void {
  let n = 0;
  observe(ctx.signal, 'resource', (entries) => {
    for (const e of entries as PerformanceResourceTiming[])
      if (e.duration > 0 && e.transferSize > 0 && !own(ctx.base, e.name) && n++ < MAX)
        ctx.emitRecord(RESOURCES, { name: e.name, duration: ms(e.duration), size: e.transferSize, protocol: e.nextHopProtocol, resourceType: e.initiatorType });
  });
}
