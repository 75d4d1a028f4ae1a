// INP → BrowserWebInteractionsPerfData from Event Timing, sent once per page view on the first hide.
import { INTERACTIONS } from './send.js';
import type { Ctx } from './types.js';
import { ms, observe } from './util.js';

type Timing = PerformanceEntry & { interactionId?: number };

/** Measures INP until `ctx.signal` aborts. */
export function install(ctx: Ctx): void {
  // The 10 longest interactions, [interactionId, duration], longest first.
  let longest: Array<[number, number]>;
  let minId: number;
  let maxId: number;
  let sent: boolean;
  const reset = () => {
    longest = [];
    minId = Infinity;
    maxId = 0;
    sent = false;
  };
  reset();
  const onEvents = (entries: PerformanceEntry[]) => {
    for (const e of entries as Timing[]) {
      const id = e.interactionId;
      if (!id) continue;
      minId = Math.min(minId, id);
      maxId = Math.max(maxId, id);
      // One interaction (a tap: pointerdown, pointerup, click) is its longest event.
      const known = longest.find((x) => x[0] == id);
      if (known) known[1] = Math.max(known[1], e.duration);
      else longest.push([id, e.duration]);
      longest.sort((a, b) => b[1] - a[1]).splice(10);
    }
  };
  const obs = [observe(ctx.signal, 'event', onEvents, { durationThreshold: 40 }), observe(ctx.signal, 'first-input', onEvents)];
  addEventListener('pageshow', (e) => e.persisted && reset(), { signal: ctx.signal });
  ctx.onHide.push(() => {
    for (const o of obs) if (o) onEvents(o.takeRecords());
    if (sent || !longest.length) return;
    sent = true;
    // The interaction count (Chrome's native one, else estimated from the id range: ids grow by
    // about 7 per interaction) picks the ~98th percentile: one in 50 interactions may be ignored.
    // client-js indexes by the number of event types instead.
    const count = (performance as { interactionCount?: number }).interactionCount || (maxId - minId) / 7 + 1;
    ctx.emitRecord(INTERACTIONS, { inpTime: ms(longest[Math.min(longest.length - 1, Math.floor(count / 50))]![1]) });
  });
}
