// Shared by the core tests: a tracer with a predictable clock and ids, and a diagnostics
// logger that records what the agent says.
import { afterEach } from 'vitest';
import { InMemoryReporter, setDiagLogger, Tracer } from '../../src/core/index.js';
import type { TracerOptions } from '../../src/core/index.js';

/**
 * A tracer whose clock starts at 1_700_000_000_000 and advances `step` ms per reading
 * (`clock.set` moves it), with ids `id-1`, `id-2`, … and an InMemoryReporter.
 */
export function fixture(opts: Partial<TracerOptions> = {}, step = 10) {
  let t = 1_700_000_000_000;
  let id = 0;
  const reporter = new InMemoryReporter();
  const clock = { now: () => (t += step), set: (v: number) => void (t = v) };
  const tracer = new Tracer({ service: 'svc', serviceInstance: 'inst', reporter, clock, idGenerator: { next: () => `id-${++id}` }, ...opts });
  return { tracer, reporter, clock };
}

/** Routes diagnostics at every level into the returned array as `level: message`, until the test ends. */
export function captureDiag(): string[] {
  const lines: string[] = [];
  const push = (level: string) => (m: string) => void lines.push(`${level}: ${m}`);
  setDiagLogger({ error: push('error'), warn: push('warn'), info: push('info'), debug: push('debug') }, 'debug');
  return lines;
}

afterEach(() => setDiagLogger(undefined, 'none'));
