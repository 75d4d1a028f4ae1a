// URL helpers for the browser instrumentation. Kept tiny: they ship in the script tag.

// Any parameter whose name contains one of these has its value replaced: over-redacting
// a harmless parameter is cheaper than leaking a credential.
const SENSITIVE = /token|pass|pwd|secret|key|sig|auth|cred|session|code/i;

/**
 * Resolves a request URL the way the browser does: against the document's base URL (a
 * `<base href>` may point at another origin), in a worker against its location.
 */
export function resolveUrl(url: string): URL {
  const g = globalThis;
  return new URL(url, g.document?.baseURI ?? g.location?.href);
}

/** The target as `host:port`, port always present, byte-identical to sw8 field 8. */
export function peerOf(url: URL): string {
  // url.host already brackets IPv6 and carries any non-default port.
  return url.port ? url.host : url.host + ':' + (url.protocol === 'https:' ? 443 : 80);
}

/** The URL for the `url` tag: no credentials, no fragment, sensitive query values as `***`. */
export function tagUrl(url: URL): string {
  // The query as it was written (nothing re-encoded); names are matched unescaped
  // (`%74oken` is `token`), and a name without a value has nothing to hide.
  return url.origin + url.pathname + url.search.replace(/([?&][^=&]*)=[^&]*/g, (m, name: string) => (SENSITIVE.test(unescape(name)) ? name + '=***' : m));
}
