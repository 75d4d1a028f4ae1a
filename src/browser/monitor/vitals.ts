// LCP, CLS and FMP → BrowserWebVitalsPerfData, computed as the web-vitals library does, sent
// once per page view on the first hide: also when there was no layout shift (CLS 0).
import { VITALS } from './send.js';
import type { Ctx } from './types.js';
import { activation, ms, observe } from './util.js';

type Shift = PerformanceEntry & { value: number; hadRecentInput: boolean };

/** Measures the page's vitals until `ctx.signal` aborts. */
export function install(ctx: Ctx): void {
  let hiddenAt: number;
  let lcp: number;
  let lcpFinal: boolean;
  let cls: number;
  let session: number;
  let sessionStart: number;
  let sessionLast: number;
  let sent: boolean;
  let page: string;
  const reset = (hidden: boolean) => {
    // A page that starts hidden (a background tab) has no LCP; a prerendered one counts from activation.
    hiddenAt = hidden ? 0 : Infinity;
    lcp = -1;
    lcpFinal = sent = false;
    cls = session = sessionStart = sessionLast = 0;
    page = ctx.pathNow();
  };
  reset(document.visibilityState == 'hidden' && !(document as { prerendering?: boolean }).prerendering);

  // The last candidate painted before the page was first hidden, until the first input.
  const onLcp = (entries: PerformanceEntry[]) => {
    for (const e of entries) if (!lcpFinal && e.startTime < hiddenAt) lcp = ms(e.startTime - activation());
  };
  // CLS is the largest session window: shifts less than 1 s apart, windows under 5 s, shifts
  // right after an input excluded. (client-js sends its current window, not the largest.)
  const onCls = (entries: PerformanceEntry[]) => {
    for (const e of entries as Shift[])
      if (!e.hadRecentInput) {
        if (session && e.startTime - sessionLast < 1000 && e.startTime - sessionStart < 5000) session += e.value;
        else {
          session = e.value;
          sessionStart = e.startTime;
        }
        sessionLast = e.startTime;
        if (session > cls) cls = session;
      }
  };
  const lcpObs = observe(ctx.signal, 'largest-contentful-paint', onLcp);
  const clsObs = observe(ctx.signal, 'layout-shift', onCls);
  const finalLcp = (e: Event) => {
    if (e.isTrusted && lcpObs) {
      onLcp(lcpObs.takeRecords());
      lcpFinal = true;
    }
  };
  for (const t of ['keydown', 'click']) addEventListener(t, finalLcp, { capture: true, signal: ctx.signal });
  // Back/forward cache restore: a new page view for the vitals; its LCP is the first frame after the restore.
  addEventListener(
    'pageshow',
    (e) => {
      if (e.persisted) {
        reset(false);
        lcpFinal = true;
        requestAnimationFrame(() => requestAnimationFrame(() => (lcp = ms(performance.now() - e.timeStamp))));
      }
    },
    { signal: ctx.signal },
  );
  ctx.onHide.push(() => {
    if (sent || !(lcpObs || clsObs)) return;
    if (lcpObs) onLcp(lcpObs.takeRecords());
    if (clsObs) onCls(clsObs.takeRecords());
    sent = true;
    hiddenAt = Math.min(hiddenAt, performance.now());
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    // -1: not measured (OAP's vitals metrics take only values ≥ 0).
    ctx.emitRecord(VITALS, { pagePath: page, fmpTime: fcp ? ms(fcp.startTime - activation()) : -1, lcpTime: lcp, cls: clsObs ? cls : -1 });
  });
}
