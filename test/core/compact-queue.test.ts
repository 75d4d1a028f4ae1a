import { afterEach, describe, expect, it } from 'vitest';
import { BatchReporter, TransportError } from '../../src/core/batch-reporter.js';
import { CompactQueue } from '../../src/core/compact-queue.js';
import { setDiagLogger } from '../../src/core/diag.js';

// Item i: `size` bytes, every byte (i + k) & 0xff, so order and content are both checked.
const item = (i: number, size = 100): Uint8Array => Uint8Array.from({ length: size }, (_, k) => (i + k) & 0xff);
const idOf = (b: Uint8Array): number => b[0]!;

const warnings: string[] = [];
const note = (m: string) => void warnings.push(m);
afterEach(() => {
  warnings.length = 0;
  setDiagLogger(undefined, 'none');
});

describe('CompactQueue', () => {
  it('keeps order and content, copying pushed items (the caller may reuse its buffer)', () => {
    const q = new CompactQueue({ slabSize: 1024 });
    const scratch = new Uint8Array(300);
    for (let i = 0; i < 50; i++) {
      const b = item(i, 10 + (i % 7) * 30);
      scratch.set(b);
      q.push(scratch.subarray(0, b.length));
      scratch.fill(0xee);
    }
    expect(q.length).toBe(50);
    const out = [...q.take(20, Infinity), ...q.take(1000, Infinity)];
    expect(out).toHaveLength(50);
    out.forEach((b, i) => expect(b).toEqual(item(i, 10 + (i % 7) * 30)));
    expect(q.length).toBe(0);
    expect(q.bytes).toBe(0);
  });

  it('holds the count bound and the byte bound, counting every drop', () => {
    const byCount = new CompactQueue({ maxItems: 5 });
    for (let i = 0; i < 8; i++) byCount.push(item(i));
    expect(byCount.length).toBe(5);
    expect(byCount.dropped).toBe(3);
    const byBytes = new CompactQueue({ maxBytes: 250 });
    expect([byBytes.push(item(0)), byBytes.push(item(1)), byBytes.push(item(2)), byBytes.push(item(3, 50))]).toEqual([true, true, false, true]);
    expect(byBytes.bytes).toBe(250);
    expect(byBytes.dropped).toBe(1);
  });

  it('defaults to 10,000 items and 4 MiB', () => {
    const q = new CompactQueue();
    expect([q.maxItems, q.maxBytes]).toEqual([10_000, 4 * 1024 * 1024]);
  });

  it('take honours the batch count and bytes, and always returns at least one item', () => {
    const q = new CompactQueue();
    for (let i = 0; i < 10; i++) q.push(item(i));
    expect(q.take(3, Infinity).map(idOf)).toEqual([0, 1, 2]);
    expect(q.take(100, 250).map(idOf)).toEqual([3, 4]);
    expect(q.take(100, 1).map(idOf)).toEqual([5]);
    expect(q.bytes).toBe(400);
  });

  it('puts a failed batch back at the front, ahead of newer items, within the bounds', () => {
    const q = new CompactQueue({ maxItems: 6, slabSize: 512 });
    for (let i = 0; i < 6; i++) q.push(item(i));
    const batch = q.take(4, Infinity);
    q.push(item(6));
    q.push(item(7));
    q.push(item(8)); // 5 held: 4, 5, 6, 7, 8
    q.unshift(batch); // room for one: 0 back, 1-3 dropped
    expect(q.length).toBe(6);
    expect(q.dropped).toBe(3);
    expect(q.take(100, Infinity).map(idOf)).toEqual([0, 4, 5, 6, 7, 8]);
  });

  it('a requeued batch goes again whole, and mixes with slab items in one take', () => {
    const q = new CompactQueue();
    for (let i = 0; i < 5; i++) q.push(item(i));
    const batch = q.take(3, Infinity);
    q.unshift(batch);
    expect(q.bytes).toBe(500);
    const again = q.take(4, Infinity);
    expect(again.map(idOf)).toEqual([0, 1, 2, 3]);
    again.forEach((b, i) => expect(b).toEqual(item(i)));
    expect(q.take(4, Infinity).map(idOf)).toEqual([4]);
  });

  it('never passes a requeued item that does not fit the batch with a newer, smaller one', () => {
    const q = new CompactQueue();
    q.push(item(0, 100));
    q.push(item(1, 300));
    q.unshift(q.take(2, Infinity));
    q.push(item(2, 10));
    expect(q.take(10, 200).map(idOf)).toEqual([0]);
    expect(q.take(10, 200).map(idOf)).toEqual([1]);
    expect(q.take(10, 200).map(idOf)).toEqual([2]);
    expect([q.length, q.bytes]).toEqual([0, 0]);
  });

  it('reuses its slabs: cycling at the bound allocates no new ones', () => {
    const slabSize = 4096;
    const q = new CompactQueue({ maxItems: 1000, maxBytes: 20_000, slabSize });
    // Fill to the byte bound: 200 items of 100 bytes (plus a 4-byte prefix each).
    for (let i = 0; i < 250; i++) q.push(item(i));
    expect(q.length).toBe(200);
    const bound = Math.ceil((20_000 + 200 * 4) / (slabSize - 104)) + 1;
    expect(q.slabCount).toBeLessThanOrEqual(bound);
    const afterFill = q.slabsAllocated;
    for (let round = 0; round < 200; round++) {
      q.take(50, Infinity);
      for (let i = 0; i < 60; i++) q.push(item(i)); // 10 of these dropped each round
    }
    expect(q.slabsAllocated).toBeLessThanOrEqual(afterFill + 4);
    // In use within the bound, plus at most 4 spares.
    expect(q.slabCount).toBeLessThanOrEqual(bound + 4);
    expect(q.bytes).toBe(20_000);
    q.clear();
    expect([q.length, q.bytes, q.slabCount]).toEqual([0, 0, 4]);
  });

  it('stores an item larger than a slab in a slab of its own', () => {
    const q = new CompactQueue({ slabSize: 256 });
    q.push(item(1, 10));
    q.push(item(2, 1000));
    q.push(item(3, 10));
    const out = q.take(10, Infinity);
    expect(out.map((b) => b.length)).toEqual([10, 1000, 10]);
    expect(out[1]).toEqual(item(2, 1000));
  });

  it('drops and counts what is not bytes, without throwing', () => {
    const q = new CompactQueue();
    expect(q.push('nope' as unknown as Uint8Array)).toBe(false);
    expect([q.length, q.dropped]).toEqual([0, 1]);
  });
});

describe('BatchReporter with a CompactQueue', () => {
  it('reports drops once per episode, requeues after a failed send and delivers in order', async () => {
    setDiagLogger({ error: note, warn: note, info: note, debug: note }, 'warn');
    {
      let fail = true;
      const sent: number[] = [];
      const queue = new CompactQueue({ maxItems: 4, name: 'test queue' });
      const r = new BatchReporter<Uint8Array, number>({
        transport: {
          send: async (batch) => {
            if (fail) throw new TransportError('down', true);
            sent.push(...batch.map(idOf));
          },
        },
        queue,
        encode: (i) => item(i, 20),
        flushIntervalMs: 60_000,
        retryDelayMs: 60_000,
      });
      for (let i = 0; i < 10; i++) r.report(i);
      expect(r.stats).toMatchObject({ queued: 4, dropped: 6 });
      expect(warnings.filter((w) => w.includes('is full'))).toHaveLength(1);
      await r.flush(1000); // fails: the batch goes back
      expect(r.stats).toMatchObject({ queued: 4, failedSends: 1 });
      fail = false;
      await r.flush(1000);
      expect(sent).toEqual([0, 1, 2, 3]);
      r.report(10);
      expect(warnings.filter((w) => w.includes('has room again'))).toHaveLength(1);
      await r.flush(1000);
      expect(sent).toEqual([0, 1, 2, 3, 10]);
      expect(r.stats).toMatchObject({ sent: 5, dropped: 6, queued: 0 });
      await r.shutdown(100);
    }
  });
});

describe('BatchReporter at its count bound', () => {
  it('drops (and counts) without encoding while the queue is full', async () => {
    let encoded = 0;
    const r = new BatchReporter<Uint8Array, number>({
      transport: { send: () => Promise.reject(new TransportError('down', true)) },
      queue: new CompactQueue({ maxItems: 3 }),
      encode: (i) => (encoded++, item(i, 10)),
      flushIntervalMs: 60_000,
    });
    for (let i = 0; i < 10; i++) r.report(i);
    expect(encoded).toBe(3);
    expect(r.stats).toMatchObject({ queued: 3, dropped: 7 });
    await r.shutdown(100);
  });
});
