// The undici package (7) imported directly: its request/stream/fetch publish the same
// `undici:request:*` diagnostics channels as Node's global fetch (channels are global by
// name), so the fetch instrumentation traces them, once each, with sw8 sent.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/ports.js';
import { exits, requireLib, startAgent, tagsOf } from './harness.js';
import type { Harness } from './harness.js';


type Any = any;

describe('undici package', () => {
  let h: Harness;
  let server: Server;
  let port: number;
  let undici: Any;
  const seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    h = startAgent();
    undici = requireLib('undici');
    server = createServer((req, res) => {
      seen.push(req.headers);
      res.statusCode = req.url === '/missing' ? 404 : 200;
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await h?.agent.shutdown();
  });

  const expectHttpExit = (spans: Any[], path: string, method: string, status: string, query = '') => {
    const out = exits(spans);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ operationName: path, spanLayer: 'Http', componentId: 2, peer: `127.0.0.1:${port}`, isError: Number(status) >= 400 });
    expect(tagsOf(out[0]!)).toEqual({ 'http.method': method, url: `http://127.0.0.1:${port}${path}${query}`, 'http.status_code': status });
    const sw8 = seen.at(-1)!.sw8 as string;
    expect(sw8).toMatch(/^1-/);
    expect(Buffer.from(sw8.split('-')[7]!, 'base64').toString()).toBe(`127.0.0.1:${port}`);
  };

  it('undici.request', async () => {
    const { value, spans } = await h.inEntry(async () => {
      const res = await undici.request(`http://127.0.0.1:${port}/orders`, { method: 'POST', body: 'x', headers: { sw8: 'stale' } });
      return res.body.text();
    });
    expect(value).toBe('ok');
    expectHttpExit(spans, '/orders', 'POST', '200');
    expect(seen.at(-1)!.sw8).not.toBe('stale');
  });

  it('undici.stream', async () => {
    const { spans } = await h.inEntry(() =>
      undici.stream(`http://127.0.0.1:${port}/missing`, { method: 'GET' }, () => new Writable({ write: (_c, _e, cb) => cb() })),
    );
    expectHttpExit(spans, '/missing', 'GET', '404');
  });

  it('undici.fetch', async () => {
    const { value, spans } = await h.inEntry(async () => (await undici.fetch(`http://127.0.0.1:${port}/items?id=1`)).text());
    expect(value).toBe('ok');
    expectHttpExit(spans, '/items', 'GET', '200', '?id=1');
  });

  it('a failed connection is an error span', async () => {
    const closed = await freePort();
    const { error, spans } = await h.inEntry(() => undici.request(`http://127.0.0.1:${closed}/down`));
    expect((error as { code?: string }).code).toBe('ECONNREFUSED');
    expect(exits(spans)).toEqual([expect.objectContaining({ operationName: '/down', isError: true })]);
  });
});
