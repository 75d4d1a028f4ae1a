import { processState } from './process-state.js';

// Paths the agent itself serves (the ingest handler's report routes). Incoming requests to
// them are the agent's own reporting traffic and are never traced. Only the exact report
// routes count: a prefix would switch tracing off for the app's own paths under the same
// base (basePath '/api' must leave /api/orders traced; basePath '/' must leave everything).
// Shared by the ESM and CommonJS copies: the handler may come from one, the server
// instrumentation from the other.
const owners = processState.ownPaths;

/**
 * Registers `owns` (true for a path the agent serves) under `key`, replacing an earlier one
 * with the same key so handlers created again and again stay one entry. Returns the
 * function that removes it.
 */
export function addOwnPaths(key: string, owns: (path: string) => boolean): () => void {
  owners.set(key, owns);
  return () => {
    if (owners.get(key) === owns) owners.delete(key);
  };
}

/** True when `path` (no query) belongs to the agent. */
export function isOwnPath(path: string): boolean {
  if (owners.size === 0) return false;
  for (const owns of owners.values()) if (owns(path)) return true;
  return false;
}
