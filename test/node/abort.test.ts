// Requests that end badly: a client that hangs up, an outgoing request that times out or
// hits a closed port. Each span ends, marked as an error, and nothing reaches the app.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InMemoryReporter, start } from '../../src/node/index.js';
import type { NodeAgent } from '../../src/node/index.js';
import { closedPort as aClosedPort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait.js';

const reporter = new InMemoryReporter();
let agent: NodeAgent;
let url: string;
let server: http.Server;
let closedPort: number;
let arrived: () => void = () => {};

beforeAll(async () => {
  agent = start({ service: 'abort', serviceInstance: 'a1', reporter, flushOnExit: false });
  closedPort = await aClosedPort();
  const slow = http.createServer(() => {
    // never answers
  });
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', () => r()));
  const slowPort = (slow.address() as AddressInfo).port;
  server = http.createServer((req, res) => {
    if (req.url === '/hang') {
      arrived();
      // Answers only after the client is long gone.
      return void setTimeout(() => res.end('late'), 2000).unref();
    }
    if (req.url === '/calls') {
      // Answers once both calls have failed, however long a busy machine takes.
      const results: string[] = [];
      const failed = (what: string) => {
        results.push(what);
        if (results.length === 2) res.end(results.sort().join(','));
      };
      const r1 = http.get({ host: '127.0.0.1', port: closedPort, path: '/refused' });
      r1.on('error', (e) => failed((e as NodeJS.ErrnoException).code ?? 'error'));
      const r2 = http.get({ host: '127.0.0.1', port: slowPort, path: '/slow', timeout: 50 });
      r2.on('timeout', () => r2.destroy(new Error('timeout')));
      r2.on('error', () => failed('timeout'));
      return;
    }
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return () => slow.close();
});
afterAll(async () => {
  server.close();
  await agent.shutdown();
});

it('ends the entry span of a request whose client hung up, as an error', async () => {
  const ac = new AbortController();
  const there = new Promise<void>((r) => (arrived = r));
  const done = fetch(url + '/hang', { signal: ac.signal }).catch(() => {});
  await there;
  ac.abort();
  await done;
  const seg = await waitFor(() => reporter.segments.find((s) => s.spans[0]!.operationName === 'GET:/hang'));
  expect(seg.spans[0]!.isError).toBe(true);
  expect(seg.spans[0]!.logs[0]!.data).toContainEqual({ key: 'error.kind', value: 'Aborted' });
});

it('records refused and timed-out outgoing requests as failed exit spans', async () => {
  expect(await (await fetch(url + '/calls')).text()).toBe('ECONNREFUSED,timeout');
  const seg = await waitFor(() => reporter.segments.find((s) => s.spans[0]!.operationName === 'GET:/calls'));
  const exits = Object.fromEntries(seg.spans.filter((s) => s.spanType === 'Exit').map((s) => [s.operationName, s]));
  expect(exits['/refused']).toMatchObject({ isError: true, peer: `127.0.0.1:${closedPort}` });
  expect(exits['/slow']!.isError).toBe(true);
  expect(exits['/slow']!.logs.flatMap((l) => l.data)).toContainEqual({ key: 'error.kind', value: 'Timeout' });
});
