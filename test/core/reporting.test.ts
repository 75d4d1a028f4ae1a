// ReportQueue and BatchReporter: bounds, drop counts and their diagnostics, batching,
// retries with backoff, deadlines that never reject, and timers that never keep a
// process alive (checked in a child process).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchReporter, ConsoleReporter, InMemoryReporter, NoopReporter, TransportError } from '../../src/core/index.js';
import { ReportQueue } from '../../src/core/report-queue.js';
import type { BatchTransport, SegmentObject, SendOptions } from '../../src/core/index.js';
import { captureDiag } from './fixture.js';
import { waitFor } from '../helpers/wait.js';


const seg = (id: string): SegmentObject => ({ traceId: id, traceSegmentId: id, spans: [], service: 's', serviceInstance: 'i', isSizeLimited: false });

/** A transport driven by the test: records calls, answers with the current behaviour. */
function fakeTransport() {
  const calls: Array<{ batch: string[]; at: number; options: SendOptions }> = [];
  const t = {
    calls,
    mode: 'ok' as 'ok' | 'retryable' | 'fatal' | 'hang' | 'plain-error',
    closed: 0,
    transport: {
      send(batch: string[], options: SendOptions): Promise<void> {
        calls.push({ batch: batch.slice(), at: Date.now(), options });
        switch (t.mode) {
          case 'ok':
            return Promise.resolve();
          case 'retryable':
            return Promise.reject(new TransportError('unavailable', true));
          case 'fatal':
            return Promise.reject(new TransportError('denied', false));
          case 'plain-error':
            return Promise.reject(new Error('socket hang up'));
          case 'hang':
            return new Promise(() => {});
        }
      },
      close() {
        t.closed++;
        return new Promise<void>(() => {}); // even close hangs
      },
    } satisfies BatchTransport<string>,
  };
  return t;
}

describe('ReportQueue', () => {
  it('bounds by count and by bytes, takes batches by count and bytes, and counts drops', () => {
    const lines = captureDiag();
    const q = new ReportQueue<string>((s) => s.length, { maxItems: 4, maxBytes: 10, name: 'test queue' });
    expect(['aaa', 'bbb', 'ccc'].map((s) => q.push(s))).toEqual([true, true, true]);
    expect(q.push('dd')).toBe(false); // 11 bytes
    expect(q.push('d')).toBe(true);
    expect(q.push('e')).toBe(false); // 5 items
    expect([q.length, q.bytes, q.dropped]).toEqual([4, 10, 2]);
    expect(q.take(10, 6)).toEqual(['aaa', 'bbb']);
    expect(q.take(1, 100)).toEqual(['ccc']);
    expect(q.take(10, 0)).toEqual(['d']); // at least one item, whatever its size
    expect(q.take(10, 10)).toEqual([]);
    expect(q.bytes).toBe(0);
    // One diagnostic when drops start, one (with the count) when there is room again.
    expect(lines.filter((l) => l.includes('test queue is full'))).toHaveLength(1);
    q.push('x');
    expect(lines.filter((l) => l.includes('room again'))).toEqual([expect.stringContaining('2 segments were dropped')]);
    for (let i = 0; i < 10; i++) q.push('yyyyy');
    q.take(100, 100);
    q.push('z');
    expect(lines.filter((l) => l.includes('test queue is full'))).toHaveLength(2);
    expect(lines.filter((l) => l.includes('room again'))).toHaveLength(2);
  });

  it('puts a failed batch back in front, as far as it fits', () => {
    const q = new ReportQueue<string>((s) => s.length, { maxItems: 3, maxBytes: 100 });
    q.push('a');
    q.push('b');
    const batch = q.take(2, 100);
    q.push('c');
    q.unshift(batch);
    expect(q.take(10, 100)).toEqual(['a', 'b', 'c']);
    q.push('d');
    q.push('e');
    q.unshift(['x', 'y']); // room for one
    expect(q.take(10, 100)).toEqual(['x', 'd', 'e']);
    expect(q.dropped).toBe(1);
  });

  it('falls back to defaults for invalid bounds', () => {
    const q = new ReportQueue<string>((s) => s.length, { maxItems: -1, maxBytes: NaN });
    expect([q.maxItems, q.maxBytes]).toEqual([10_000, 16 * 1024 * 1024]);
  });
});

describe('BatchReporter', () => {
  // The reporter's clock is faked in the tests of its timing: a busy machine cannot move a
  // send across an interval, and nothing waits for real time to pass.
  afterEach(() => void vi.useRealTimers());

  it('batches by interval, count and bytes', async () => {
    vi.useFakeTimers();
    const f = fakeTransport();
    const r = new BatchReporter({ transport: f.transport, encode: (s) => s.traceId, sizeOf: (s) => s.length, flushIntervalMs: 50, maxBatchSize: 3, maxBatchBytes: 8 });
    r.report(seg('aa'));
    r.report(seg('bb'));
    expect(f.calls).toHaveLength(0); // waits for the interval so sends batch up
    await vi.advanceTimersByTimeAsync(120);
    expect(f.calls.map((c) => c.batch)).toEqual([['aa', 'bb']]);
    for (const id of ['c', 'd', 'e', 'ffff', 'gggg', 'h']) r.report(seg(id));
    await vi.advanceTimersByTimeAsync(150);
    expect(f.calls.slice(1).map((c) => c.batch)).toEqual([['c', 'd', 'e'], ['ffff', 'gggg'], ['h']]);
    expect(r.stats).toEqual({ sent: 8, dropped: 0, failedSends: 0, queued: 0 });
    expect(f.calls.every((c) => c.options.final === false)).toBe(true);
  });

  it('after a send, a partial batch waits for the interval and a full one goes at once', async () => {
    // Busy services: segments that arrive during a send's round trip must not each start
    // a tiny call of their own as soon as it returns.
    vi.useFakeTimers();
    const sent: Array<{ batch: string[]; at: number }> = [];
    let release = () => {};
    const transport = {
      send: (batch: string[]) => {
        sent.push({ batch, at: Date.now() });
        return new Promise<void>((r) => (release = r));
      },
    };
    const r = new BatchReporter({ transport, encode: (s) => s.traceId, sizeOf: (s) => s.length, flushIntervalMs: 300, maxBatchSize: 4 });
    r.report(seg('a'));
    await vi.advanceTimersByTimeAsync(350);
    expect(sent.map((c) => c.batch)).toEqual([['a']]);
    r.report(seg('b'));
    r.report(seg('c'));
    const answeredAt = Date.now();
    release();
    await vi.advanceTimersByTimeAsync(100);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(350);
    expect(sent.map((c) => c.batch)).toEqual([['a'], ['b', 'c']]);
    expect(sent[1]!.at - answeredAt).toBeGreaterThanOrEqual(250);
    for (const id of ['d', 'e', 'f', 'g', 'h']) r.report(seg(id));
    release();
    await vi.advanceTimersByTimeAsync(50);
    // Four waiting fill a batch: sent without waiting; the fifth waits for the interval.
    expect(sent.map((c) => c.batch)).toEqual([['a'], ['b', 'c'], ['d', 'e', 'f', 'g']]);
    release();
    await vi.advanceTimersByTimeAsync(10);
    // flush() sends at once (its send starts synchronously); answer it, then stop.
    const flushed = r.flush(1000);
    release();
    await flushed;
    expect(sent.map((c) => c.batch).at(-1)).toEqual(['h']);
    expect(r.stats).toMatchObject({ sent: 8, queued: 0, failedSends: 0 });
    await r.shutdown(100);
  });

  it('retries retryable failures with growing delays, then delivers in order', async () => {
    const lines = captureDiag();
    const f = fakeTransport();
    f.mode = 'retryable';
    const r = new BatchReporter({ transport: f.transport, encode: (s) => s.traceId, sizeOf: () => 1, flushIntervalMs: 1, retryDelayMs: 40, maxRetryDelayMs: 1000 });
    r.report(seg('a'));
    r.report(seg('b'));
    await waitFor(() => f.calls.length >= 3, 10_000, 'three attempts');
    const attempts = f.calls.length;
    expect(attempts).toBeGreaterThanOrEqual(3);
    // Backoff: each gap at least half the doubled base delay (jitter on the upper half).
    const gaps = f.calls.slice(1).map((c, i) => c.at - f.calls[i]!.at);
    gaps.forEach((g, i) => expect(g).toBeGreaterThanOrEqual(Math.min(1000, 40 * 2 ** i) / 2 - 5));
    expect(r.stats).toMatchObject({ sent: 0, dropped: 0, queued: 2, failedSends: attempts });
    f.mode = 'ok';
    await r.flush(1000); // a flush tries now, ignoring the backoff
    expect(f.calls.at(-1)!.batch).toEqual(['a', 'b']);
    expect(r.stats).toMatchObject({ sent: 2, queued: 0, dropped: 0 });
    expect(lines.filter((l) => l.includes('sending failed'))).toHaveLength(1); // one warning per outage
    expect(lines.some((l) => l.includes('reachable again'))).toBe(true);
    await r.shutdown(100);
  });

  it('treats plain errors as retryable and drops batches the collector refuses', async () => {
    const f = fakeTransport();
    const r = new BatchReporter({ transport: f.transport, encode: (s) => s.traceId, sizeOf: () => 1, flushIntervalMs: 10_000, retryDelayMs: 1 });
    f.mode = 'plain-error';
    r.report(seg('a'));
    await r.flush(500);
    expect(r.stats).toMatchObject({ queued: 1, dropped: 0 });
    f.mode = 'fatal';
    await r.flush(500);
    expect(r.stats).toMatchObject({ queued: 0, dropped: 1, sent: 0, failedSends: 2 });
  });

  it('counts segments it cannot encode and segments reported after shutdown', async () => {
    const f = fakeTransport();
    const r = new BatchReporter<string>({
      transport: f.transport,
      encode: (s) => {
        if (s.traceId === 'bad') throw new Error('x');
        return s.traceId;
      },
      sizeOf: () => 1,
    });
    expect(() => r.report(seg('bad'))).not.toThrow();
    r.report(seg('ok'));
    await r.shutdown(500);
    expect(f.calls.map((c) => c.batch)).toEqual([['ok']]);
    r.report(seg('late'));
    expect(r.stats).toMatchObject({ sent: 1, dropped: 2 });
    await r.shutdown(100); // twice is fine
  });

  it('bounds its queue while the collector is down', async () => {
    const f = fakeTransport();
    f.mode = 'retryable';
    const r = new BatchReporter({ transport: f.transport, encode: (s) => s.traceId, sizeOf: () => 100, maxQueueSize: 5, flushIntervalMs: 10_000, retryDelayMs: 10_000 });
    for (let i = 0; i < 20; i++) r.report(seg('s' + i));
    expect(r.stats).toMatchObject({ queued: 5, dropped: 15 });
    const r2 = new BatchReporter({ transport: f.transport, encode: (s) => s.traceId, sizeOf: () => 100, maxQueueBytes: 250, flushIntervalMs: 10_000 });
    for (let i = 0; i < 5; i++) r2.report(seg('s' + i));
    expect(r2.stats).toMatchObject({ queued: 2, dropped: 3 });
  });

  it('flush and shutdown meet their deadlines and never reject, even when the transport hangs forever', async () => {
    const f = fakeTransport();
    f.mode = 'hang';
    const r = new BatchReporter({ transport: f.transport, encode: (s) => s.traceId, sizeOf: () => 1, flushIntervalMs: 10_000, sendTimeoutMs: 60_000 });
    r.report(seg('a'));
    let t0 = Date.now();
    await expect(r.flush(150)).resolves.toBeUndefined();
    expect(Date.now() - t0).toBeLessThan(2000);
    r.report(seg('b'));
    t0 = Date.now();
    await expect(r.shutdown(150)).resolves.toBeUndefined(); // close() hangs too
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(f.closed).toBe(1);
    expect(r.stats.dropped).toBeGreaterThanOrEqual(1);
  });

  it('times out a hanging send and retries it', async () => {
    const f = fakeTransport();
    f.mode = 'hang';
    const r = new BatchReporter({ transport: f.transport, encode: (s) => s.traceId, sizeOf: () => 1, flushIntervalMs: 1, sendTimeoutMs: 50, retryDelayMs: 20 });
    r.report(seg('a'));
    await waitFor(() => f.calls.length >= 1, 10_000, 'the first (hanging) send');
    f.mode = 'ok';
    await waitFor(() => r.stats.sent === 1, 10_000, 'the retried send');
    expect(f.calls.length).toBeGreaterThanOrEqual(2);
    expect(f.calls[0]!.options.timeoutMs).toBe(50);
    expect(r.stats).toMatchObject({ sent: 1, queued: 0 });
    await r.shutdown(100);
  });

  it('drainFinal hands everything over with final: true, in byte-bounded batches', () => {
    const f = fakeTransport();
    const r = new BatchReporter({ transport: f.transport, encode: (s) => s.traceId, sizeOf: (s) => s.length, flushIntervalMs: 10_000 });
    for (const id of ['aaaa', 'bbbb', 'cccc', 'dd']) r.report(seg(id));
    r.drainFinal(8);
    expect(f.calls.map((c) => [c.batch, c.options.final])).toEqual([[['aaaa', 'bbbb'], true], [['cccc', 'dd'], true]]);
    expect(r.stats.queued).toBe(0);
  });
});

describe('timers never keep a process alive', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'sw-core-'));
  const core = join(dir, 'core.mjs');
  buildSync({ entryPoints: [join(root, 'src/core/index.ts')], bundle: true, format: 'esm', platform: 'neutral', outfile: core, logLevel: 'silent' });

  function run(body: string): { status: number | null; out: string; ms: number } {
    const file = join(dir, `child-${Math.random().toString(36).slice(2)}.mjs`);
    writeFileSync(file, `import { BatchReporter, TransportError, Tracer } from ${JSON.stringify(core)};\n${body}`);
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
    return { status: r.status, out: (r.stdout + r.stderr).trim(), ms: Date.now() - t0 };
  }

  it('exits with a send in flight to a transport that never answers', () => {
    const r = run(`
const r = new BatchReporter({ transport: { send: () => { console.log('send'); return new Promise(() => {}); } }, encode: (s) => s, sizeOf: () => 1, flushIntervalMs: 1, sendTimeoutMs: 600000 });
const t = new Tracer({ service: 's', serviceInstance: 'i', reporter: r });
t.createTracingContext().createEntrySpan('a').end();
setTimeout(() => console.log('app done'), 50);`);
    expect(r.status).toBe(0);
    expect(r.out).toBe('send\napp done');
    expect(r.ms).toBeLessThan(15_000);
  });

  it('exits with a retry pending against a failing collector', () => {
    const r = run(`
const r = new BatchReporter({ transport: { send: () => Promise.reject(new TransportError('down', true)) }, encode: (s) => s, sizeOf: () => 1, flushIntervalMs: 600000, retryDelayMs: 600000 });
for (let i = 0; i < 10; i++) r.report({});
setTimeout(() => console.log('app done', r.stats.queued), 20);`);
    expect(r.status).toBe(0);
    expect(r.out).toBe('app done 10');
  });

  it('an awaited flush or shutdown against a hanging transport returns at its deadline with exit code 0', () => {
    const r = run(`
const r = new BatchReporter({ transport: { send: () => new Promise(() => {}), close: () => new Promise(() => {}) }, encode: (s) => s, sizeOf: () => 1, flushIntervalMs: 600000, sendTimeoutMs: 600000 });
r.report({});
await r.flush(200);
console.log('flushed');
r.report({});
await r.shutdown(200);
console.log('shut down', r.stats.dropped);`);
    expect(r.out).toBe('flushed\nshut down 2'); // neither segment was delivered: both counted
    expect(r.status).toBe(0);
  });
});

describe('simple reporters', () => {
  it('InMemory keeps, Console prints JSON and survives a throwing sink, Noop discards', async () => {
    const mem = new InMemoryReporter();
    mem.report(seg('a'));
    expect(mem.segments).toEqual([seg('a')]);
    mem.clear();
    expect(mem.segments).toEqual([]);
    const lines: string[] = [];
    new ConsoleReporter((l) => lines.push(l)).report(seg('b'));
    expect(JSON.parse(lines[0]!)).toEqual(seg('b'));
    const bad = new ConsoleReporter(() => {
      throw new Error('x');
    });
    expect(() => bad.report(seg('c'))).not.toThrow();
    const noop = new NoopReporter();
    noop.report();
    await expect(Promise.all([mem.flush(), mem.shutdown(), noop.flush(), noop.shutdown(), bad.flush()])).resolves.toBeDefined();
  });
});
