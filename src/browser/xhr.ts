import type { Patches } from '../core/patch.js';
import type { Span } from '../core/span.js';
import type { RequestHooks } from './hooks.js';
import { resolveUrl } from './url.js';

// The headers the agent may write (sw8, sw8-correlation, sw8-x).
const PROPAGATION = /^sw8(-correlation|-x)?$/i;

type Held = Array<[string, string]>;

/**
 * Patches `XMLHttpRequest.prototype` (open, setRequestHeader, send), so `instanceof`,
 * statics and other libraries' patches keep working. XHR appends repeated headers, so a
 * caller's own propagation header is held back until send and dropped only if ours
 * replaces it. Only a request opened and not yet sent is traced, once; everything else
 * goes straight to the native methods, which keep their errors. `patches` restores the
 * methods (one another library wrapped since stays, with ours as a pass-through); when
 * `done` aborts, held headers are set for real.
 */
export function patchXhr(hooks: RequestHooks, patches: Patches, done: AbortSignal): void {
  const proto = globalThis.XMLHttpRequest?.prototype;
  if (!proto) return;
  const { setRequestHeader } = proto;
  // Opened and not yet sent: method, URL, held headers.
  const state = new WeakMap<XMLHttpRequest, [string, string, Held]>();
  // Requests holding a caller's header: at shutdown it is set for real, so a send after it keeps it.
  const holding = new Set<XMLHttpRequest>();
  const release = (x: XMLHttpRequest, wrote: string[] = []) => {
    holding.delete(x);
    for (const [k, v] of state.get(x)?.[2].splice(0) ?? []) if (!wrote.includes(k.toLowerCase())) setRequestHeader.call(x, k, v);
  };
  // Held headers, at shutdown: set for real, so a send after it keeps them.
  done.addEventListener('abort', () => {
    for (const x of holding)
      try {
        release(x);
      } catch {
        // A request aborted or reopened since: nothing to keep.
      }
  });
  patches.method(proto, 'open', (open) =>
    function (this: XMLHttpRequest, method: string, url: string | URL) {
      // Native first: its errors (bad method or URL) reach the caller, and our state stays as it was.
      open.apply(this, arguments as never);
      state.set(this, [method, String(url), []]);
    },
  );
  patches.method(proto, 'setRequestHeader', (native) =>
    function (this: XMLHttpRequest, name: string, value: string) {
      const s = state.get(this);
      if (s && PROPAGATION.test(name)) {
        s[2].push([name, value]);
        holding.add(this);
      } else native.call(this, name, value);
    },
  );
  patches.method(proto, 'send', (send) =>
    function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
      const s = state.get(this);
      let span: Span | undefined;
      let url: URL | undefined;
      if (s) {
        const wrote: string[] = [];
        try {
          try {
            span = hooks.begin(s[0], (url = resolveUrl(s[1])), (k, v) => {
              setRequestHeader.call(this, k, v);
              wrote.push(k);
            });
          } finally {
            // The caller's headers we did not write go out as the caller set them.
            release(this, wrote);
          }
        } catch {
          // Untraced, as the request would be without the agent.
        }
        // Traced once: a second send() gets the native InvalidStateError and no span.
        state.delete(this);
        // Status 0 at loadend: XHR's "network error" (also an abort or a timeout).
        const fail = url && hooks.fail;
        if (span || fail)
          this.addEventListener(
            'loadend',
            () => {
              const status = this.status;
              if (span) hooks.end(span, status, status ? undefined : 'network error');
              if (fail && (!status || status >= 400)) fail(url!, status, status ? this.statusText : 'network error');
            },
            { once: true },
          );
      }
      try {
        return send.call(this, body);
      } catch (err) {
        // A synchronous request that fails throws instead of firing loadend.
        if (span) hooks.end(span, 0, err);
        throw err;
      }
    },
  );
}
