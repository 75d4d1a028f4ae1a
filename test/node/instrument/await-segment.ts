// Waits for a segment the agent reports later (a consumer's or a server's), without sleeps:
// the harness's InMemoryReporter is watched and each report is matched against the waiters.
import type { InMemoryReporter, SegmentObject } from '../../../src/node/index.js';

/**
 * Returns `entrySegment(operation, where?)`: resolves with the first segment (reported
 * before or later) whose Entry span is named `operation` and that passes `where`.
 */
export function watchEntrySegments(reporter: InMemoryReporter): (operation: string, where?: (s: SegmentObject) => boolean) => Promise<SegmentObject> {
  let waiters: Array<{ match: (s: SegmentObject) => boolean; resolve: (s: SegmentObject) => void }> = [];
  const report = reporter.report.bind(reporter);
  reporter.report = (segment) => {
    report(segment);
    for (const w of waiters) if (w.match(segment)) w.resolve(segment);
    waiters = waiters.filter((w) => !w.match(segment));
  };
  return (operation, where = () => true) => {
    const match = (s: SegmentObject) => s.spans.some((x) => x.spanType === 'Entry' && x.operationName === operation) && where(s);
    const found = reporter.segments.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => waiters.push({ match, resolve }));
  };
}
