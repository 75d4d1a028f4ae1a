import type { RequestHooks } from './agent.js';

const PROPAGATION = ['sw8', 'sw8-correlation', 'sw8-x'];

/**
 * Patches `XMLHttpRequest.prototype` (open, setRequestHeader, send), so `instanceof`,
 * statics and other libraries' patches keep working. A caller's own sw8 is held back and
 * replaced by ours, because XHR appends repeated headers. Returns the restore function.
 */
export function patchXhr(hooks: RequestHooks): () => void {
  const X = globalThis.XMLHttpRequest;
  if (typeof X !== 'function') return () => {};
  const proto = X.prototype;
  const { open, setRequestHeader, send } = proto;
  const state = new WeakMap<XMLHttpRequest, { method: string; url: string; held?: Array<[string, string]> }>();

  proto.open = function (this: XMLHttpRequest, method: string, url: string | URL, ...rest: unknown[]) {
    state.set(this, { method: String(method).toUpperCase(), url: String(url) });
    return (open as (...a: unknown[]) => void).call(this, method, url, ...rest);
  } as typeof open;
  proto.setRequestHeader = function (this: XMLHttpRequest, name: string, value: string) {
    const s = state.get(this);
    if (s && PROPAGATION.includes(String(name).toLowerCase())) {
      (s.held ??= []).push([name, value]);
      return;
    }
    return setRequestHeader.call(this, name, value);
  };
  proto.send = function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
    const s = state.get(this);
    if (s) {
      let injected = false;
      let span;
      try {
        span = hooks.begin(s.method, new URL(s.url, globalThis.location?.href), (k, v) => {
          setRequestHeader.call(this, k, v);
          injected = true;
        });
      } catch {
        span = undefined;
      }
      if (!injected) for (const [k, v] of s.held ?? []) setRequestHeader.call(this, k, v);
      if (span) {
        const sp = span;
        // Status 0 at loadend: a network error, an abort or a timeout.
        this.addEventListener('loadend', () => hooks.end(sp, this.status, this.status ? undefined : 'request failed'), { once: true });
      }
    }
    return send.call(this, body);
  };
  return () => {
    proto.open = open;
    proto.setRequestHeader = setRequestHeader;
    proto.send = send;
  };
}
