import type { VersionRange } from './types.js';

/** `major.minor.patch` as numbers; a pre-release or build suffix is ignored. */
function parts(v: string): [number, number, number] {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : [NaN, NaN, NaN];
}

/** -1, 0 or 1; NaN parts (not a version) compare as unequal to everything. */
function compare(a: string, b: string): number {
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < 3; i++) {
    if (!(x[i]! === y[i]!)) return x[i]! < y[i]! ? -1 : 1;
  }
  return 0;
}

/** Whether `version` is in `[range.from, range.below)`. A version that cannot be read is outside. */
export function inRange(version: string | undefined, range: VersionRange): boolean {
  if (typeof version !== 'string' || Number.isNaN(parts(version)[0])) return false;
  return compare(version, range.from) >= 0 && compare(version, range.below) < 0;
}

/** `>=8.0.0 <9.0.0`, for diagnostics and docs. */
export function rangeText(range: VersionRange): string {
  return `>=${range.from} <${range.below}`;
}
