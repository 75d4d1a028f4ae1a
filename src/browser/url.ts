// URL helpers for the browser instrumentation. Kept tiny: they ship in the script tag.
import { diag } from '../core/diag.js';

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

/**
 * Puts `make(o[k])` at `o[k]`. The returned undo puts the original back only while `o[k]`
 * is still ours: a library that wrapped it since keeps calling our wrapper, and restoring
 * under it would drop that library's patch (the caller turns ours into a pass-through).
 */
export function wrap<O, K extends keyof O>(o: O, k: K, make: (original: O[K]) => O[K]): () => void {
  const original = o[k];
  const mine = (o[k] = make(original));
  return () => {
    if (o[k] === mine) o[k] = original;
  };
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

/** URL rules: strings (meaning set by the option), RegExps tested against the whole URL, predicates, or a list of these. */
export type UrlRules = string | RegExp | ((url: URL) => boolean) | Array<string | RegExp | ((url: URL) => boolean)>;

/**
 * Which destinations may receive sw8 besides the page's origin ({@link UrlRules}): a string
 * is any URL, and only its origin counts.
 */
export type PropagateTo = UrlRules;

/**
 * Compiles {@link UrlRules} into one test, once, at start(); `fromString` says what a string
 * means. An entry it cannot use is reported and skipped; a predicate that throws says no.
 */
export function urlTest(rules: UrlRules | undefined, fromString: (rule: string) => (url: URL) => boolean): (url: URL) => boolean {
  const tests: Array<(url: URL) => unknown> = [];
  for (const t of ([] as unknown[]).concat(rules ?? []))
    try {
      tests.push(t instanceof RegExp ? (u) => t.test(u.href) : typeof t === 'function' ? (t as (url: URL) => unknown) : fromString(t as string));
    } catch {
      diag.warn('an URL rule is neither a URL, a RegExp nor a function; ignored', t);
    }
  return (u) =>
    tests.some((f) => {
      try {
        return f(u) === true;
      } catch {
        // A throwing predicate says no.
      }
    });
}

/**
 * The propagateTo test: the page's own origin always passes. Strings are reduced to their
 * origin (`https://API.example.com:443/v1` allows `https://api.example.com`).
 */
export function allowTest(own: string, targets: PropagateTo | undefined): (url: URL) => boolean {
  return urlTest(([own] as UrlRules[]).concat(targets ?? []) as UrlRules, (t) => {
    const origin = new URL(t).origin;
    return (u) => u.origin === origin;
  });
}
