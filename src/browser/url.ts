// URL helpers for the browser instrumentation. Kept tiny: they ship in the script tag.

// Any parameter whose name contains one of these has its value replaced: over-redacting
// a harmless parameter is cheaper than leaking a credential.
const SENSITIVE = /token|pass|pwd|secret|key|sig|auth|cred|session|code/i;

/** The target as `host:port`, port always present, byte-identical to sw8 field 8. */
export function peerOf(url: URL): string {
  // url.host already brackets IPv6 and carries any non-default port.
  return url.port ? url.host : url.host + (url.protocol === 'https:' ? ':443' : ':80');
}

/** The URL for the `url` tag: no credentials, no fragment, sensitive query values as `***`. */
export function tagUrl(url: URL): string {
  const base = url.origin + url.pathname;
  // Most queries hold nothing sensitive: keep them as they are, without re-encoding.
  if (!url.search || !SENSITIVE.test(url.search)) return base + url.search;
  const parts: string[] = [];
  url.searchParams.forEach((v, k) => parts.push(encodeURIComponent(k) + '=' + (SENSITIVE.test(k) ? '***' : encodeURIComponent(v))));
  return base + '?' + parts.join('&');
}

/** Which destinations may receive sw8: the page's origin plus `propagateTo` (origins, RegExps or a predicate). */
export type PropagateTo = Array<string | RegExp> | ((url: URL) => boolean);

/** Compiles {@link PropagateTo} into a test; the page's own origin always passes. */
export function allowTest(own: string, targets: PropagateTo | undefined): (url: URL) => boolean {
  if (typeof targets === 'function')
    return (u) => {
      try {
        return u.origin === own || targets(u) === true;
      } catch {
        return false;
      }
    };
  const list = targets ?? [];
  return (u) => u.origin === own || list.some((t) => (typeof t === 'string' ? t.replace(/\/+$/, '') === u.origin : t.test(u.href)));
}
