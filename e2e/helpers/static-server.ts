// The page's origin for browser tests: serves the built script tag and ESM files from dist/,
// pages given as strings, and echo endpoints; records every other request it sees.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireBuild } from '../../test/helpers/dist.js';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html', '.map': 'application/json' };

/** A request the server saw. */
export interface Seen {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface StaticServer {
  url: string;
  port: number;
  seen: Seen[];
  /** Serves `body` at `path` (HTML unless the path ends in .js). */
  page(path: string, body: string): void;
  close(): Promise<void>;
}

/**
 * Routes: `/dist/...` from the build; registered pages; `/stream` (two chunks), `/slow`
 * (2 s), `/fail` (500), `/missing` (404); anything else echoes `{ sw8 }` as JSON.
 */
export async function startStaticServer(host = '127.0.0.1'): Promise<StaticServer> {
  // A page without its script would fail in ways that do not say why.
  requireBuild('dist/skywalking-tracing.iife.min.js', 'dist/esm/browser/index.js');
  const pages = new Map<string, string>();
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const p = url.pathname;
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', '*');
    if (p.startsWith('/dist/')) {
      const file = normalize(join(DIST, p.slice(6)));
      if (!file.startsWith(DIST)) return void res.writeHead(403).end();
      try {
        return void res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
      } catch {
        return void res.writeHead(404).end();
      }
    }
    const page = pages.get(p);
    if (page !== undefined) return void res.writeHead(200, { 'content-type': p.endsWith('.js') ? 'text/javascript' : 'text/html' }).end(page);
    seen.push({ method: req.method!, path: req.url!, headers: req.headers });
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    if (p.startsWith('/stream')) {
      res.write('a'.repeat(1000));
      return void setTimeout(() => res.end('b'.repeat(1000)), 50);
    }
    if (p.startsWith('/slow')) return void setTimeout(() => res.end('late'), 2000);
    if (p.startsWith('/fail')) return void res.writeHead(500).end('fail');
    if (p.startsWith('/missing')) return void res.writeHead(404).end('missing');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sw8: req.headers.sw8 ?? null }));
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    seen,
    page: (path, body) => void pages.set(path, body),
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}
