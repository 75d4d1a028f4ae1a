import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Extractable } from '../core/index.js';

// Query parameters whose values never reach a tag. A name is split into its words
// (`-`, `_`, `.`, brackets and camelCase: accessToken, client_secret, X-Amz-Signature,
// user[password], sessionID); it is sensitive when any word is one of WORDS, or its last
// word is one of LAST_WORDS (`api_key`, `privateKey`, an OAuth `code`, but not `key_id`).
const WORDS = new Set(['token', 'password', 'passwd', 'passphrase', 'pwd', 'secret', 'auth', 'authorization', 'credential', 'credentials', 'session', 'sessionid', 'sid', 'apikey', 'jwt', 'signature', 'sig', 'cookie', 'otp']);
const LAST_WORDS = new Set(['key', 'code']);
// A cheap first look: most names (page, q, sort, id) contain none of the words at all.
const MAYBE = /tok|pass|pwd|secret|auth|cred|sess|sid|key|jwt|sig|cookie|otp|code/i;
const WORD_BOUNDARY = /[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=[0-9])/;

/** True when the value of query parameter `name` must not be recorded. */
export function isSensitiveName(name: string): boolean {
  if (!MAYBE.test(name)) return false;
  const words = name.split(WORD_BOUNDARY).filter(Boolean);
  for (const w of words) if (WORDS.has(w.toLowerCase())) return true;
  const last = words[words.length - 1];
  return last !== undefined && LAST_WORDS.has(last.toLowerCase());
}

/**
 * A URL for the `url` tag: no userinfo, sensitive query values replaced by `***`.
 * Takes the raw path+query so the common no-query case costs one indexOf.
 */
export function redactedUrl(origin: string, pathAndQuery: string): string {
  const q = pathAndQuery.indexOf('?');
  if (q < 0) return origin + pathAndQuery;
  const path = pathAndQuery.slice(0, q);
  const hashAt = pathAndQuery.indexOf('#', q);
  const query = pathAndQuery.slice(q + 1, hashAt < 0 ? undefined : hashAt);
  const parts = query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq < 0) return pair;
    let name = pair.slice(0, eq);
    try {
      name = decodeURIComponent(name);
    } catch {
      // keep the raw name
    }
    return isSensitiveName(name) ? pair.slice(0, eq) + '=***' : pair;
  });
  return origin + path + '?' + parts.join('&');
}

/**
 * Splits a request target that is not a path (absolute form, `GET http://user:pw@host/x`,
 * as proxies receive and proxy-style clients send) into an origin without userinfo and the
 * path plus query. A target that is no URL gives its text after any `userinfo@`, so no
 * credentials reach a span name or tag either way.
 */
export function splitTarget(target: string): { origin: string | undefined; pathAndQuery: string } {
  try {
    const u = new URL(target);
    if (u.host) return { origin: u.protocol + '//' + u.host, pathAndQuery: u.pathname + u.search };
  } catch {
    // not a URL: fall through
  }
  return { origin: undefined, pathAndQuery: target.replace(/^[^/?#]*@/, '') };
}

/** The path without query or fragment. */
export function pathOf(pathAndQuery: string): string {
  let end = pathAndQuery.length;
  const q = pathAndQuery.indexOf('?');
  if (q >= 0) end = q;
  const h = pathAndQuery.indexOf('#');
  if (h >= 0 && h < end) end = h;
  return end === pathAndQuery.length ? pathAndQuery : pathAndQuery.slice(0, end);
}

/** `host:port`, with IPv6 hosts in brackets and the port always present. */
export function hostPort(host: string, port: number | string): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${h}:${port}`;
}

/** The caller's address: the first `x-forwarded-for` entry, else the socket's remote address and port. */
export function clientAddress(req: IncomingMessage): string {
  const fwd = req.headers['x-forwarded-for'];
  const first = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(',')[0]?.trim();
  if (first) return first;
  const s = req.socket;
  if (!s?.remoteAddress) return '';
  return hostPort(s.remoteAddress, s.remotePort ?? 0);
}

/** Reads propagation headers from incoming request headers. */
export function headerExtractable(headers: IncomingHttpHeaders): Extractable {
  return {
    extract(key) {
      const v = headers[key];
      return typeof v === 'string' ? v : Array.isArray(v) ? v[0] : undefined;
    },
  };
}

/** True when `path` ends with one of `suffixes` (already lowercase). */
export function hasSuffix(path: string, suffixes: readonly string[]): boolean {
  // Most API paths have no dot in their last segment: one scan and done.
  const dot = path.lastIndexOf('.');
  if (dot < 0 || dot < path.lastIndexOf('/') || suffixes.length === 0) return false;
  const lower = path.toLowerCase();
  for (const s of suffixes) if (lower.endsWith(s)) return true;
  return false;
}
