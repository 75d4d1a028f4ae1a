// `agent.reporter.stats` is documented for every agent (Node and browser): the built-in
// reporters count for themselves; a reporter of the user's (an InMemoryReporter in tests) or a
// disabled agent's gets this thin wrapper, so the property is always there and typed.
import type { BatchReporterStats } from './batch-reporter.js';
import type { Reporter } from './reporter.js';
import type { SegmentObject } from './segment.js';

/** The reporter as the agent exposes it: any {@link Reporter}, with counters. */
export interface AgentReporter extends Reporter {
  /** Segments sent and dropped, failed sends, segments queued. */
  readonly stats: BatchReporterStats;
}

/**
 * `reporter` itself when it has `stats`; otherwise a wrapper that hands every segment on and
 * counts it as `sent` (handed to the reporter) or, for a reporter that discards (the disabled
 * agent's), as `dropped`. Browser data is passed on when the reporter forwards it.
 */
export function withStats(reporter: Reporter, countAs: 'sent' | 'dropped' = 'sent'): AgentReporter {
  const own = (reporter as Partial<AgentReporter>).stats;
  if (own !== null && typeof own === 'object') return reporter as AgentReporter;
  const stats: BatchReporterStats = { sent: 0, dropped: 0, failedSends: 0, queued: 0 };
  const wrapper: AgentReporter & { forwardBrowserData?(path: string, items: unknown[]): void } = {
    stats,
    report(segment: SegmentObject): void {
      stats[countAs]++;
      reporter.report(segment);
    },
    flush: (timeoutMs?: number) => reporter.flush(timeoutMs),
    shutdown: (timeoutMs?: number) => reporter.shutdown(timeoutMs),
  };
  const forward = (reporter as { forwardBrowserData?: unknown }).forwardBrowserData;
  if (typeof forward === 'function') wrapper.forwardBrowserData = (path, items) => forward.call(reporter, path, items);
  return wrapper;
}
