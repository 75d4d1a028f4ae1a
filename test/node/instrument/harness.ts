// Shared by the library tests: an agent with an in-memory reporter, and a way to run
// work inside an Entry span and get back its segment's spans.
import { createRequire } from 'node:module';
import { InMemoryReporter, start } from '../../../src/node/index.js';
import type { NodeAgent, NodeAgentOptions, SpanObject } from '../../../src/node/index.js';
import { traceStorage } from '../../../src/node/context.js';

/** CommonJS require from the test (libraries must load after start(), through require-in-the-middle). */
export const requireLib = createRequire(import.meta.url);

export interface Harness {
  agent: NodeAgent;
  reporter: InMemoryReporter;
  /** Runs `fn` inside a new Entry span `entry`; resolves with its outcome and the segment's spans once the Entry ends. */
  inEntry<T>(fn: () => Promise<T> | T): Promise<{ value?: T; error?: unknown; spans: SpanObject[] }>;
}

export function startAgent(options: NodeAgentOptions = {}): Harness {
  const reporter = new InMemoryReporter();
  const agent = start({ service: 'lib-test', reporter, flushOnExit: false, logLevel: 'error', ...options });
  return {
    agent,
    reporter,
    async inEntry(fn) {
      const context = agent.tracer.createTracingContext();
      const span = context.createEntrySpan('entry');
      const before = reporter.segments.length;
      let value: Awaited<ReturnType<typeof fn>> | undefined;
      let error: unknown;
      try {
        value = await traceStorage.run({ context, span }, fn);
      } catch (err) {
        error = err;
      }
      span.end();
      const seg = reporter.segments.slice(before).find((s) => s.spans.some((x) => x.operationName === 'entry' && x.spanType === 'Entry'));
      if (!seg) throw new Error('the entry segment was not reported (a span left open?)');
      return { value: value as never, error, spans: seg.spans };
    },
  };
}

/** A span's tags as an object. */
export const tagsOf = (s: SpanObject): Record<string, string> => Object.fromEntries(s.tags.map((t) => [t.key, t.value]));

/** The Exit spans of a segment. */
export const exits = (spans: SpanObject[]): SpanObject[] => spans.filter((s) => s.spanType === 'Exit');
