import type { Patches } from '../core/patch.js';
import type { Span } from '../core/span.js';
import type { RequestHooks } from './hooks.js';
import { resolveUrl } from './url.js';

/**
 * Wraps `globalThis.fetch` (through `patches`, which restores it): each call is an Exit
 * span, sw8 goes into a copy of the headers (the caller's Request, Headers and init are
 * never touched), and the caller gets the original promise and Response (the body is never
 * read). No fetch: nothing is defined, so the page's feature checks keep working.
 */
export function patchFetch(hooks: RequestHooks, patches: Patches): void {
  const g = globalThis;
  patches.method(g, 'fetch', (original) =>
    function (this: unknown, input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
      let span: Span | undefined;
      let url: URL | undefined;
      let next = init;
      try {
        // Duck-typed, not `instanceof Request`: a Request made in another realm (an iframe)
        // must keep its method and headers too. Strings and URLs have no `method`.
        const req = ((input as Request).method && input) as Request | undefined;
        url = resolveUrl(req ? req.url : String(input));
        // Per the Fetch spec, init.headers replaces the Request's headers entirely.
        const headers = new Headers(init?.headers ?? req?.headers);
        span = hooks.begin(init?.method ?? req?.method ?? 'GET', url, (k, v) => {
          headers.set(k, v);
          next = { ...init, headers };
        });
      } catch {
        // Untraced, as the request would be without the agent.
      }
      const p = original.call(this ?? g, input, next) as Promise<Response>;
      const fail = url && hooks.fail;
      if (span || fail)
        p.then(
          // An opaque (no-cors) answer has status 0 and is not a failure.
          (res) => {
            if (span) hooks.end(span, res.status);
            if (fail && res.status >= 400) fail(url!, res.status, res.statusText);
          },
          (err: unknown) => {
            if (span) hooks.end(span, 0, err);
            // The caller's own abort is not a failure.
            if (fail && (err as Error)?.name != 'AbortError') fail(url!, 0, err);
          },
        );
      return p;
    },
  );
}
