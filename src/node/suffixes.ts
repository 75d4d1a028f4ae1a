/** True when `path` ends with one of `suffixes` (already lowercase): the `ignoreSuffixes` test. */
export function hasSuffix(path: string, suffixes: readonly string[]): boolean {
  // Most API paths have no dot in their last segment: one scan and done.
  const dot = path.lastIndexOf('.');
  if (dot < 0 || dot < path.lastIndexOf('/') || suffixes.length === 0) return false;
  const lower = path.toLowerCase();
  for (const s of suffixes) if (lower.endsWith(s)) return true;
  return false;
}
