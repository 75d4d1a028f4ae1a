// Page load → BrowserPerfData, once `load` has fired. This message is also OAP's page view.
import { PERF } from './send.js';
import type { Ctx } from './types.js';
import { activation, ms } from './util.js';

// "field later earlier": the formulas client-js users' dashboards already show (fieldTime = later − earlier).
const TIMES =
  'redirect redirectEnd redirectStart,dns domainLookupEnd domainLookupStart,ttfb responseStart requestStart,tcp connectEnd connectStart,' +
  'trans responseEnd responseStart,domAnalysis domInteractive responseEnd,fpt responseEnd fetchStart,domReady domContentLoadedEventEnd fetchStart,' +
  'loadPage loadEventStart fetchStart,res loadEventStart domContentLoadedEventEnd,ttl domInteractive fetchStart,firstPack responseStart domainLookupStart,' +
  // TLS: only when a handshake happened (see below).
  'ssl connectEnd secureConnectionStart';

/** The page-load record from Navigation Timing 2 (legacy `performance.timing` only where it is missing). */
export function pageTimings(): Record<string, number> {
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  const n = (nav && nav.responseStart > 0 ? nav : performance.timing) as unknown as Record<string, number>;
  const d = (a: string, b: string) => ms(n[a]! - n[b]!);
  const rec: Record<string, number> = {};
  for (const t of TIMES.split(',')) {
    const [k, a, b] = t.split(' ') as [string, string, string];
    rec[k + 'Time'] = d(a, b);
  }
  // No TLS handshake (http, or a reused connection): secureConnectionStart is 0, and connectEnd − 0 is not a duration.
  if (!(n.secureConnectionStart! > 0)) rec.sslTime = 0;
  // FMP: First Contentful Paint, and only when measured (client-js never sends it here, so OAP's FMP metrics got zeros).
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  if (fcp) rec.fmpTime = ms(fcp.startTime - activation());
  return rec;
}

/** Sends the page view once `load` has fired. */
export function install(ctx: Ctx): void {
  // After the other load handlers: loadEventStart is set by then.
  const go = () =>
    setTimeout(() => {
      try {
        ctx.emitRecord(PERF, pageTimings());
      } catch {
        // Never reaches the page.
      }
    });
  if (document.readyState == 'complete') go();
  else addEventListener('load', go, { once: true, signal: ctx.signal });
}
