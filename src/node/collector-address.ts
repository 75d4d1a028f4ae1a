// What `collector` means for each protocol. gRPC wants `host:port`; users often write a URL
// (`http://oap:11800`), which would otherwise be dialled as the host `http`.

/** The address to dial, and the TLS a URL's scheme asked for. */
export interface CollectorAddress {
  collector: string;
  /** true for `https://`/`grpcs://`, false for `http://`/`grpc://`, undefined without a scheme. */
  secureFromScheme: boolean | undefined;
}

// The port when a URL names none: OAP's gRPC port in the clear; 443 with TLS (an ingress or
// load balancer in front of OAP is the usual reason to write https://).
const DEFAULT_PORT: Readonly<Record<string, string>> = { 'http:': '11800', 'grpc:': '11800', 'https:': '443', 'grpcs:': '443' };

/**
 * For gRPC, a URL becomes its `host:port` (its path dropped), with one diagnostic saying
 * so; `http://oap` is `oap:11800`, `https://oap` is `oap:443` with TLS. Other values and
 * the `http` protocol's base URLs pass as they are.
 */
export function collectorAddress(raw: string, protocol: 'grpc' | 'http', warn: (message: string) => void): CollectorAddress {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1]?.toLowerCase();
  if (protocol !== 'grpc' || scheme === undefined) return { collector: raw, secureFromScheme: undefined };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    warn(`collector ${JSON.stringify(raw)}: gRPC takes host:port (e.g. oap:11800), and this is not a URL either; using it as it is`);
    return { collector: raw, secureFromScheme: undefined };
  }
  const port = DEFAULT_PORT[url.protocol] === undefined ? undefined : url.port || DEFAULT_PORT[url.protocol];
  if (port === undefined || !url.hostname) {
    warn(`collector ${JSON.stringify(raw)}: gRPC takes host:port (e.g. oap:11800), not a ${url.protocol}// URL; using it as it is`);
    return { collector: raw, secureFromScheme: undefined };
  }
  const collector = `${url.hostname}:${port}`;
  const secureFromScheme = url.protocol === 'https:' || url.protocol === 'grpcs:';
  const path = url.pathname !== '/' && url.pathname !== '' ? ` (path ${url.pathname} dropped)` : '';
  warn(
    `collector ${JSON.stringify(raw)}: gRPC takes host:port, not a URL; using ${collector}${secureFromScheme ? ' with TLS' : ''}${path}. ` +
      `OAP serves gRPC on 11800 and REST on 12800 (protocol: 'http' for REST)`,
  );
  return { collector, secureFromScheme };
}
