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
    if (given === null || typeof given !== 'object') return unknown;
    for (const key of Object.keys(given)) if (!known.includes(key)) unknown.push(key);
    if (unknown.length === 0) return unknown;
    const named = unknown.slice(0, 20).map((k) => {
      const near = closest(k, known);
      return near ? `${JSON.stringify(k)} (did you mean "${near}"?)` : JSON.stringify(k);
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
    let score = editDistance(n, l);
    if (score > Math.max(1, Math.floor(Math.max(n.length, l.length) / 3))) score = l.length >= 4 && (n.includes(l) || l.includes(n)) ? n.length + l.length : Infinity;
    if (score < bestScore) [best, bestScore] = [k, score];
  }
  return best;
}

// Levenshtein distance with one rolling row.
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(up + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}
