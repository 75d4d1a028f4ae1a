// shutdown() untraces even where it cannot unpatch: when the app or another library wraps
// http.request (or Server.prototype.emit) after start(), the agent's wrapper stays inside
// their chain and must pass straight through, and a second start() propagates only its own ids.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decodeSw8, InMemoryReporter, start } from '../../src/node/index.js';
import type { NodeAgent } from '../../src/node/index.js';
import { waitFor } from '../helpers/wait.js';

const originalRequest = http.request;
const originalEmit = http.Server.prototype.emit;
let server: http.Server;
let base: string;
// Every sw8 header line each request to `server` carried.
const seen: string[][] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const sw8: string[] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === 'sw8') sw8.push(req.rawHeaders[i + 1]!);
    seen.push(sw8);
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  http.request = originalRequest;
  http.Server.prototype.emit = originalEmit;
});

const get = (path: string) =>
  new Promise<void>((resolve, reject) => http.request(`${base}${path}`, (r) => r.resume().on('end', resolve)).on('error', reject).end());

it('passes through after shutdown under a foreign wrapper, and a second start propagates only its own ids', async () => {
  const first = new InMemoryReporter();
  let agent: NodeAgent = start({ service: 'one', serviceInstance: 'one-1', reporter: first, flushOnExit: false, traceWithoutParent: true });
  // Another library wraps after start(): the agent cannot take its wrappers out of these chains.
  const tracedRequest = http.request;
  http.request = function (this: unknown, ...args: unknown[]) {
    return (tracedRequest as (...a: unknown[]) => http.ClientRequest).apply(this, args);
  } as typeof http.request;
  const tracedEmit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (this: http.Server, ...args: unknown[]) {
    return (tracedEmit as (...a: unknown[]) => boolean).apply(this, args);
  } as typeof http.Server.prototype.emit;

  await get('/while-running');
  expect(seen.at(-1)).toHaveLength(1);
  await waitFor(() => first.segments.length >= 2);

  await agent.shutdown();
  first.clear();
  await get('/after-shutdown');
  await (await fetch(`${base}/fetch-after-shutdown`)).text();
  expect(seen.at(-2)).toEqual([]);
  expect(seen.at(-1)).toEqual([]);
  // Nothing is recorded: neither the client call, nor the server's entry, nor fetch.
  await new Promise<void>((r) => setImmediate(r));
  expect(first.segments).toEqual([]);

  const second = new InMemoryReporter();
  agent = start({ service: 'two', serviceInstance: 'two-1', reporter: second, flushOnExit: false, traceWithoutParent: true });
  try {
    await get('/second-start');
    await (await fetch(`${base}/second-fetch`)).text();
    const [viaRequest, viaFetch] = [seen.at(-2)!, seen.at(-1)!];
    expect(viaRequest).toHaveLength(1);
    expect(viaFetch).toHaveLength(1);
    await waitFor(() => second.segments.length >= 4);
    const ids = new Set(second.segments.map((s) => s.traceSegmentId));
    for (const h of [viaRequest[0], viaFetch[0]]) {
      const sw8 = decodeSw8(h)!;
      expect(sw8.parentService).toBe('two');
      expect(ids.has(sw8.parentSegmentId)).toBe(true);
    }
    expect(first.segments).toEqual([]);
    // Each request was received once, by the second agent only.
    expect(second.segments.filter((s) => s.spans[0]!.spanType === 'Entry').map((s) => s.spans[0]!.operationName).sort()).toEqual(['GET:/second-fetch', 'GET:/second-start']);
  } finally {
    await agent.shutdown();
  }
});
