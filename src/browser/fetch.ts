import type { RequestHooks } from './agent.js';

/**
 * Wraps `globalThis.fetch`: each call is an Exit span, sw8 goes into a copy of the headers
 * (the caller's Request, Headers and init are never touched), and the caller gets the
 * original promise and Response (the body is never read). Returns the restore function.
 */
export function patchFetch(hooks: RequestHooks): () => void {
  const g = globalThis;
  const original = g.fetch;
  if (typeof original !== 'function') return () => {};
  const traced = function fetch(this: unknown, input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    let span;
    let next = init;
    try {
      const req = input instanceof Request ? input : undefined;
      const url = new URL(req ? req.url : String(input), g.location?.href);
      // Per the Fetch spec, init.headers replaces the Request's headers entirely.
      const headers = new Headers(init?.headers ?? req?.headers);
      let injected = false;
      span = hooks.begin((init?.method ?? req?.method ?? 'GET').toUpperCase(), url, (k, v) => {
        headers.set(k, v);
        injected = true;
      });
      if (injected) next = { ...init, headers };
    } catch {
      span = undefined;
    }
    const p = original.call(this ?? g, input, next);
    if (span) {
      const s = span;
      p.then(
        // An opaque (no-cors) answer has status 0 and is not a failure.
        (res) => hooks.end(s, res.status),
        (err: unknown) => hooks.end(s, 0, err),
      );
    }
    return p;
  };
  g.fetch = traced;
  return () => {
    if (g.fetch === traced) g.fetch = original;
  };
}
