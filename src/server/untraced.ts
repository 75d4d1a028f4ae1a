// A mark for servers that receive SkyWalking data (the local collector): an agent in the same
// process must not trace what they receive, or every report it sends would come back as a
// new trace. A registered symbol, so that every copy of the package (ESM, CommonJS) agrees.

/** Set to true on an `http.Server` whose requests no agent traces. */
export const UNTRACED_SERVER: unique symbol = Symbol.for('skywalking-tracing.untraced-server') as never;

/** Marks `server` so that an agent running in the same process does not trace its requests. */
export function markUntraced<S extends object>(server: S): S {
  (server as { [UNTRACED_SERVER]?: boolean })[UNTRACED_SERVER] = true;
  return server;
}
