// What of a URL may reach a `url` tag or a span name: one rule for Node and the browser.
// Platform-free and small on purpose: it ships in the script tag.

// A parameter name is read lower-case, letters and digits only, so `pass_word`,
// `Pass-Word`, `user[password]`, `accessToken` and `accesstoken` read alike. It is
// sensitive when it contains one of SECRET_PART or ends with one of SECRET_END (which
// also covers the exact short names `pw`, `pin`, `pass`, `key`, `code`). Over-redacting a
// harmless parameter (`zipcode`, `bypass`) is cheaper than leaking a credential; only
// `author…` is spared from `auth` (it is no credential and common), not `authoriz…`.
const SECRET_PART = /token|passw|passc|passphrase|pwd|secret|auth(?!or(?!i[sz]))|session|credential|bearer|ticket|jwt|cookie|signature|apikey|accesskey|privatekey|csrf|xsrf/;
const SECRET_END = /(key|code|sig|sid|otp|pin|pw|pass)$/;

/** True when the value of query parameter `name` must not be recorded. */
export function isSensitiveName(name: string): boolean {
  const n = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return SECRET_PART.test(n) || SECRET_END.test(n);
}

/**
 * The path of a request target: no query, no fragment, no `;name=value` path parameters
 * (`/cart;jsessionid=…` is `/cart`), so session ids reach neither span names nor tags.
 */
export function pathOf(pathAndQuery: string): string {
  const end = pathAndQuery.search(/[?#]/);
  const path = end < 0 ? pathAndQuery : pathAndQuery.slice(0, end);
  return path.includes(';') ? path.replace(/;[^/]*/g, '') : path;
}

/**
 * The `url` tag: `origin` (given without userinfo) + {@link pathOf} + the query with the
 * values of sensitive parameters ({@link isSensitiveName}, names `%`-unescaped, pairs split at
 * `&` and `;`) as `***`; the fragment is dropped. The query keeps its own spelling otherwise.
 */
export function redactUrl(origin: string, pathAndQuery: string): string {
  const q = pathAndQuery.indexOf('?');
  const path = pathOf(pathAndQuery);
  if (q < 0) return origin + path;
  const query = pathAndQuery.slice(q).replace(/#[^]*/, '');
  return origin + path + query.replace(/([?&;])([^&;=]*)=[^&;]*/g, (m, sep: string, name: string) => (isSensitiveName(unescape(name)) ? sep + name + '=***' : m));
}
