// Paths the agent itself serves (the ingest handler's base path). Incoming requests to
// them are the agent's own reporting traffic and are never traced.
const prefixes = new Set<string>();

/** Marks `prefix` (e.g. `/skywalking/`) as the agent's own; returns the function that unmarks it. */
export function addOwnPathPrefix(prefix: string): () => void {
  prefixes.add(prefix);
  return () => prefixes.delete(prefix);
}

/** True when `path` belongs to the agent. */
export function isOwnPath(path: string): boolean {
  if (prefixes.size === 0) return false;
  for (const p of prefixes) if (path.startsWith(p)) return true;
  return false;
}
