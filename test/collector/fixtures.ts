// Real segments from core's tracer, for the collector and server tests.
import { InMemoryReporter, Tracer } from '../../src/core/index.js';
import type { SegmentObject } from '../../src/core/index.js';

/** Two segments of one trace: `service` (entry → exit to `down:80`) and `service-down` (entry with a CrossProcess ref). */
export function makeTrace(service = 'svc'): SegmentObject[] {
  const reporter = new InMemoryReporter();
  const up = new Tracer({ service, serviceInstance: service + '-1', reporter });
  const down = new Tracer({ service: service + '-down', serviceInstance: 'd-1', reporter });
  const ctx = up.createTracingContext();
  const e = ctx.createEntrySpan('GET:/a');
  e.tag('http.method', 'GET');
  const headers: Record<string, string> = {};
  const x = ctx.createExitSpan('/b', e, 'down:80', { inject: (k, v) => (headers[k] = v) });
  const d = down.createTracingContext();
  const de = d.createEntrySpan('GET:/b', null, { extract: (k) => headers[k] });
  de.log({ event: 'checked' });
  de.end();
  x.end();
  e.end();
  return reporter.segments;
}

/** A copy safe to mutate. */
export const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
