// Which destinations receive sw8: one rule set for the Node and the browser agents, and the
// URL-rule compiler it is built on (the browser's `ignore` uses it with its own string meaning).
import { diag } from './diag.js';

/** A URL rule: a string (its meaning set by the option), a RegExp tested against the whole URL, or a predicate. */
export type UrlRule = string | RegExp | ((url: URL) => boolean);

/** One rule or a list of them. */
export type UrlRules = UrlRule | UrlRule[];

/**
 * Destinations that receive sw8: hosts (`'api.example.com'`: any scheme and port on that
 * host; `'api.example.com:8080'`: that port; `'*.example.com'`: its subdomains), origins or
 * URLs (`'https://api.example.com/v1'`: only the origin counts), RegExps over the whole URL,
 * or a predicate; one may stand alone.
 */
export type PropagateTo = UrlRules;

// A host, optionally with a port: names, IPv4, bracketed IPv6; `*.` before a name matches its subdomains.
const HOST = /^(?:\*\.)?(?:[\w-]+\.)*[\w-]+(?::\d{1,5})?$|^\[[\da-f:.]+\](?::\d{1,5})?$/i;

/**
 * Compiles rules into one test, once, at start. `fromString` gives a string's test (it may
 * throw or return nothing: the entry is unusable). An unusable entry is named in one
 * diagnostic through `warn` and skipped, and a list of several with no usable entry gets
 * one more; a predicate that throws or returns anything but `true` says no.
 */
export function compileUrlRules(
  rules: unknown,
  what: string,
  fromString: (rule: string) => ((url: URL) => boolean) | undefined,
  warn: (message: string) => void = diag.warn,
): (url: URL) => boolean {
  const list: unknown[] = rules == null ? [] : Array.isArray(rules) ? rules : [rules];
  const tests: Array<(url: URL) => unknown> = [];
  for (const t of list) {
    let test: ((url: URL) => unknown) | undefined;
    try {
      test =
        t instanceof RegExp
          ? // A global or sticky RegExp keeps lastIndex between test() calls: every other URL would miss.
            ((re) => (u: URL) => re.test(u.href))(new RegExp(t.source, t.flags.replace(/[gy]/g, '')))
          : typeof t === 'function'
            ? (t as (url: URL) => unknown)
            : typeof t === 'string'
              ? fromString(t.trim())
              : undefined;
    } catch {
      // Unusable, named below.
    }
    if (test) tests.push(test);
    else warn(`${what}: ${show(t)} is not usable; ignored`);
  }
  if (list.length > 1 && !tests.length) warn(`${what} has no usable entry`);
  return (u) =>
    tests.some((f) => {
      try {
        return f(u) === true;
      } catch {
        return false;
      }
    });
}

/**
 * The propagateTo test ({@link PropagateTo}). Unset gives `undefined`: each runtime has its
 * default (Node: every destination; the browser: only the page's own origin). An empty list
 * or one with no usable entry allows nothing: whoever set the option meant to restrict
 * where trace headers go.
 */
export function compilePropagateTo(targets: unknown, warn?: (message: string) => void): ((url: URL) => boolean) | undefined {
  if (targets == null) return undefined;
  return compileUrlRules(
    targets,
    'propagateTo',
    (t) => {
      if (t.includes('://')) {
        const origin = new URL(t).origin;
        return (u) => u.origin === origin;
      }
      if (!HOST.test(t)) return undefined;
      const h = t.toLowerCase();
      // `*.example.com`: `.example.com` at the end of the host name.
      if (h.startsWith('*.')) return (u) => u.hostname.endsWith(h.slice(1));
      // With a port it must match host:port; without, the host name on any port.
      return (u) => u.host === h || u.hostname === h;
    },
    warn,
  );
}

// An entry as a diagnostic names it: cut, and safe for objects whose toString throws.
function show(t: unknown): string {
  try {
    return (typeof t === 'string' ? JSON.stringify(t) : String(t)).slice(0, 100);
  } catch {
    return typeof t;
  }
}
