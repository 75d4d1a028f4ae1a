// Small helpers the monitor modules share.

/** A boolean option: absent takes `def`; `false` and the attribute text `'false'` are off, anything else on. */
export const on = (v: unknown, def: boolean): boolean => (v == null ? def : v !== false && v !== 'false');

/** A whole, never negative number of ms (OAP averages what it gets: a negative value would drag every average). */
export const ms = (v: number): number => (v > 0 ? Math.floor(v) : 0);

/**
 * A buffered PerformanceObserver of `type` until `signal` aborts, or undefined where the
 * browser lacks it. The callback's failures stay here: it runs in the browser's own task.
 */
export function observe(signal: AbortSignal, type: string, fn: (entries: PerformanceEntry[]) => void, extra?: object): PerformanceObserver | undefined {
  try {
    if (!PerformanceObserver.supportedEntryTypes.includes(type)) return;
    const o = new PerformanceObserver((list) => {
      try {
        fn(list.getEntries());
      } catch {
        // Never reaches the page.
      }
    });
    o.observe({ type, buffered: true, ...extra });
    // Disconnected when monitoring stops: the modules keep no undo of their own.
    signal.addEventListener('abort', () => o.disconnect());
    return o;
  } catch {
    // No PerformanceObserver: the metric is simply not reported.
  }
}

/** `activationStart` of a prerendered page (0 otherwise): page metrics count from activation, as the web-vitals library does. */
export const activation = (): number => (performance.getEntriesByType('navigation')[0] as { activationStart?: number } | undefined)?.activationStart || 0;

// The agent's own report paths under the collector base.
const OWN = /^\/(browser\/|v3\/segments|skywalking\.v3\.)/;

/** Whether `href` is one of the agent's own reports (under the collector `base`). */
export const own = (base: string, href: string): boolean => href.startsWith(base) && OWN.test(href.slice(base.length));
