// closest(): the "did you mean" hint. Checked against a plain, obviously-correct reference
// (full Levenshtein matrix, the threshold written as in its doc comment), since the shipped
// version is written for the browser bundle's bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closest } from '../../src/core/options-check.js';

function levenshtein(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    d.push([i]);
    for (let j = 1; j <= b.length; j++) d[i]![j] = i === 0 ? j : Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length]![b.length]!;
}

function reference(name: string, known: readonly string[]): string | undefined {
  const n = name.toLowerCase().slice(0, 64);
  let best: string | undefined;
  let bestScore = Infinity;
  for (const k of known) {
    const l = k.toLowerCase();
    let score = levenshtein(n, l);
    if (score > Math.max(1, Math.floor(Math.max(n.length, l.length) / 3))) score = l.length >= 4 && (n.includes(l) || l.includes(n)) ? n.length + l.length : Infinity;
    if (score < bestScore) [best, bestScore] = [k, score];
  }
  return best;
}

describe('closest', () => {
  it('names what a plain Levenshtein search with the same threshold names', () => {
    const word = fc.string({ unit: fc.constantFrom(...'abcdeSW_'), maxLength: 14 });
    fc.assert(
      fc.property(word, fc.array(word, { maxLength: 6 }), (name, known) => {
        expect(closest(name, known)).toBe(reference(name, known));
      }),
      { numRuns: 2000 },
    );
  });

  it('hints typos and contained names, and nothing for unrelated ones', () => {
    const keys = ['service', 'serviceInstance', 'collector', 'maxQueueSize', 'flushIntervalMs'];
    expect(closest('colector', keys)).toBe('collector');
    expect(closest('sevrice', keys)).toBe('service');
    expect(closest('collectorAddress', keys)).toBe('collector');
    expect(closest('maxQueSize', keys)).toBe('maxQueueSize');
    expect(closest('banana', keys)).toBeUndefined();
  });
});
