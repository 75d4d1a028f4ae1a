// Where a request goes: its `host:port` and, for absolute-form targets, its origin.

/** `host:port`, with IPv6 hosts in brackets and the port always present. */
export function hostPort(host: string, port: number | string): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${h}:${port}`;
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
