// `withSpan` behaves the same in Node and in the page: one span lifetime (src/core/span-run.ts)
// behind each runtime's own way of making the span active. Each case runs through both agents
// and what the caller and the reporter see is compared, and checked against what it must be.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryReporter, type Span } from '../../src/core/index.js';
import { start as startPage, type BrowserAgent } from '../../src/browser/index.js';
import { start as startNode, type NodeAgent } from '../../src/node/index.js';

type WithSpan = <T>(name: string, fn: (span: Span) => T) => T;
const nodeReporter = new InMemoryReporter();
const pageReporter = new InMemoryReporter();
let node: NodeAgent;
let page: BrowserAgent;
const runtimes = (): Array<[string, WithSpan, InMemoryReporter]> => [
  ['node', node.withSpan, nodeReporter],
  ['browser', page.withSpan, pageReporter],
];

beforeAll(() => {
  node = startNode({ service: 'svc', serviceInstance: 'svc-1', reporter: nodeReporter, flushOnExit: false });
  // Not enabled: no fetch/XHR patches in this Node process; withSpan works all the same.
  page = startPage({ service: 'web', reporter: pageReporter, enabled: false });
});
afterAll(async () => {
  await node.shutdown();
  await page.shutdown(10);
});

const boom = new Error('boom');
/** Each case: what `fn` does. `made` is the promise (or thenable) it returns, when it returns one. */
const CASES: Record<string, () => { fn: (span: Span) => unknown; made?: unknown }> = {
  returns: () => ({ fn: () => 42 }),
  throws: () => ({ fn: () => { throw boom; } }),
  'throws a string': () => ({ fn: () => { throw 'text'; } }),
  resolves: () => {
    const made = Promise.resolve('v');
    return { fn: () => made, made };
  },
  rejects: () => {
    const made = Promise.reject(boom);
    return { fn: () => made, made };
  },
  'a thenable': () => {
    // A query builder's kind: not a Promise, its then() returns one.
    const made = { then: (ok: (v: string) => unknown, no: (e: unknown) => unknown) => Promise.resolve('t').then(ok, no) };
    return { fn: () => made, made };
  },
};

/** What the caller and the reporter see when `fn` runs in a user span. */
async function observe(withSpan: WithSpan, reporter: InMemoryReporter, name: string) {
  reporter.clear();
  const { fn, made } = CASES[name]!();
  let returned: unknown;
  let sync: string;
  try {
    returned = withSpan(name, fn);
    sync = 'returned';
  } catch (err) {
    sync = `threw ${String(err)}`;
  }
  const reportedAtReturn = reporter.segments.length;
  let settled: string | undefined;
  if (made !== undefined) {
    settled = await (returned as Promise<unknown>).then(
      (v) => `resolved ${String(v)}`,
      (err: unknown) => `rejected ${String(err)}`,
    );
  }
  // At the caller's continuation the span has ended and its segment is reported.
  const segments = reporter.segments.map((s) => s.spans.map((sp) => ({ op: sp.operationName, type: sp.spanType, isError: sp.isError, logKeys: sp.logs.map((l) => l.data.map((d) => d.key)) })));
  return { sync, value: made === undefined ? returned : undefined, reportedAtReturn, settled, segments, chained: made === undefined ? undefined : returned !== made };
}

describe('withSpan: the same in Node and the browser', () => {
  const expected: Record<string, Partial<Awaited<ReturnType<typeof observe>>>> = {
    returns: { sync: 'returned', value: 42, reportedAtReturn: 1 },
    throws: { sync: 'threw Error: boom', reportedAtReturn: 1 },
    'throws a string': { sync: 'threw text', reportedAtReturn: 1 },
    resolves: { sync: 'returned', reportedAtReturn: 0, settled: 'resolved v', chained: true },
    rejects: { sync: 'returned', reportedAtReturn: 0, settled: 'rejected Error: boom', chained: true },
    'a thenable': { sync: 'returned', reportedAtReturn: 0, settled: 'resolved t', chained: true },
  };
  for (const name of Object.keys(CASES)) {
    it(name, async () => {
      const [[, nodeWithSpan, nr], [, pageWithSpan, pr]] = runtimes();
      const inNode = await observe(nodeWithSpan, nr, name);
      const inPage = await observe(pageWithSpan, pr, name);
      expect(inPage).toEqual(inNode);
      expect(inNode).toMatchObject(expected[name]!);
      const failed = name.startsWith('throws') || name === 'rejects';
      const errorLog = name === 'throws a string' ? ['event', 'error.kind', 'message'] : ['event', 'error.kind', 'message', 'stack'];
      expect(inNode.segments).toEqual([[{ op: name, type: 'Local', isError: failed, logKeys: failed ? [errorLog] : [] }]]);
    });
  }

  it('a rejection the caller ignores stays unhandled, as it would without the agent', async () => {
    // Node reports an unhandled rejection once the microtasks of the turn have run, before
    // the next setImmediate: the listener below sees it or it was handled (swallowed).
    const saved = process.listeners('unhandledRejection');
    process.removeAllListeners('unhandledRejection');
    const seen: Record<string, unknown[]> = { node: [], browser: [] };
    let current = '';
    const onUnhandled = (reason: unknown) => void seen[current]!.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      for (const [runtime, withSpan] of runtimes()) {
        current = runtime;
        const err = new Error(`ignored in ${runtime}`);
        void withSpan('ignored', () => Promise.reject(err));
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      process.off('unhandledRejection', onUnhandled);
      for (const l of saved) process.on('unhandledRejection', l);
    }
    expect(seen.browser!.map(String)).toEqual(['Error: ignored in browser']);
    expect(seen.node!.map(String)).toEqual(['Error: ignored in node']);
  });
});
