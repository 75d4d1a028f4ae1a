// Segments for reporter and ingest tests, built by the real tracer.
import { InMemoryReporter, Tracer } from '../../src/core/index.js';
import type { SegmentObject } from '../../src/core/index.js';

/**
 * Reports `n` traces of service `svc`, instance `inst` to `reporter`: each an entry span
 * `op` tagged with its index, with one exit span to `db:5432`.
 */
export function reportTraces(reporter: { report(s: SegmentObject): void }, n = 1, op = 'GET:/x'): void {
  const tracer = new Tracer({ service: 'svc', serviceInstance: 'inst', reporter: { report: (s) => reporter.report(s), flush: async () => {}, shutdown: async () => {} } });
  for (let i = 0; i < n; i++) {
    const ctx = tracer.createTracingContext();
    const e = ctx.createEntrySpan(op);
    e.tag('i', String(i));
    ctx.createExitSpan('/down', e, 'db:5432').end();
    e.end();
  }
}

/** `n` segments as a browser sends them: service `web`, one exit span `op` to `api:443` each. */
export function browserSegments(n = 1, op = '/page'): SegmentObject[] {
  const mem = new InMemoryReporter();
  const t = new Tracer({ service: 'web', serviceInstance: '1.0', reporter: mem });
  for (let i = 0; i < n; i++) {
    const ctx = t.createTracingContext({ endpoint: op });
    ctx.createExitSpan(op, null, 'api:443').end();
  }
  return mem.segments;
}
