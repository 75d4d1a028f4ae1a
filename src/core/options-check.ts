// Names the option keys a runtime does not know, with the closest known one: a typo such as
// `colector` must not leave the agent quietly reporting to the default address.
import { diag } from './diag.js';

/**
 * Reports, in one diagnostic, every own key of `given` that is not in `known`, each with the
 * closest known key when one is near (`colector` → `collector`, `serviceName` → `service`).
 * Returns the unknown keys. Never throws.
 */
export function reportUnknownKeys(given: unknown, known: readonly string[], what = 'option', warn: (message: string) => void = (m) => diag.warn(m)): string[] {
  const unknown: string[] = [];
  try {
    if (!given || typeof given !== 'object') return unknown;
    for (const key of Object.keys(given)) if (!known.includes(key)) unknown.push(key);
    if (unknown.length === 0) return unknown;
    const named = unknown.slice(0, 20).map((k) => {
      const near = closest(k, known);
      return JSON.stringify(k) + (near ? ` (did you mean "${near}"?)` : '');
    });
    warn(`unknown ${what}${unknown.length > 1 ? 's' : ''} ignored: ${named.join(', ')}${unknown.length > 20 ? ` and ${unknown.length - 20} more` : ''}`);
  } catch {
    // A hostile object (a Proxy that throws) is simply not checked.
  }
  return unknown;
}

/**
 * The known name nearest to `name`: by edit distance (case-insensitive, at most a third of
 * the length), or one that contains it or is contained in it (`serviceName` → `service`).
 */
export function closest(name: string, known: readonly string[]): string | undefined {
  const n = name.toLowerCase().slice(0, 64);
  let best: string | undefined;
  let bestScore = Infinity;
  for (const k of known) {
    const l = k.toLowerCase();
    // Levenshtein distance from n to l, with one rolling row (row[j]: to the first j of l).
    const row = [...Array(l.length + 1).keys()];
    for (const c of n) {
      let diag = row[0]!++;
      for (let j = 1; j <= l.length; j++) {
        const up = row[j]!;
        row[j] = Math.min(up + 1, row[j - 1]! + 1, diag + +(c !== l[j - 1]));
        diag = up;
      }
    }
    let score = row[l.length]!;
    // Up to a third of the longer name may differ (at least 1: `x * 3 > max(3, …)` is
    // `x > max(1, floor(… / 3))` for whole numbers); else one containing the other.
    if (score * 3 > Math.max(3, n.length, l.length)) score = l.length >= 4 && (n.includes(l) || l.includes(n)) ? n.length + l.length : Infinity;
    if (score < bestScore) {
      best = k;
      bestScore = score;
    }
  }
  return best;
}
