// Secrets in URLs never reach a span: query values of sensitive names in `url` tags of
// incoming requests, http.request and fetch, and `;name=value` path parameters (Java's
// `;jsessionid=`) in tags and operation names alike.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InMemoryReporter, start } from '../../src/node/index.js';
import type { NodeAgent } from '../../src/node/index.js';
import { waitFor } from '../helpers/wait.js';

const reporter = new InMemoryReporter();
let agent: NodeAgent;
const servers: http.Server[] = [];
const listen = async (s: http.Server) => {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  servers.push(s);
  return (s.address() as AddressInfo).port;
};

beforeAll(() => {
  agent = start({ service: 'redact', serviceInstance: 'r-1', reporter, flushOnExit: false });
});
afterAll(async () => {
  for (const s of servers) s.close();
  await agent.shutdown();
});

const SECRETS = 'privatekey=S1&passcode=S2&accesstoken=S3&authtoken=S4&sessiontoken=S5&idtoken=S6&pass=S7&pw=S8&pin=S9&bearer=S10&ticket=S11&pass_word=S12';
const REDACTED = SECRETS.replace(/=S\d+/g, '=***');

it('redacts compound secret names and strips ;path parameters on incoming, http.request and fetch', async () => {
  const downPort = await listen(http.createServer((_req, res) => void res.end('ok')));
  const down = `http://127.0.0.1:${downPort}`;
  const apiPort = await listen(
    http.createServer((_req, res) => {
      void (async () => {
        await new Promise<void>((resolve, reject) =>
          http.get(`${down}/viaHttp;jsessionid=SESSIONHTTP?${SECRETS}&page=1`, (r) => r.resume().on('end', resolve)).on('error', reject),
        );
        await (await fetch(`${down}/viaFetch;jsessionid=SESSIONFETCH;v=2?${SECRETS}&page=2`)).text();
        res.end('done');
      })();
    }),
  );
  expect(await (await fetch(`http://127.0.0.1:${apiPort}/api;jsessionid=SESSIONIN/items?${SECRETS}&page=0`)).text()).toBe('done');
  const seg = await waitFor(() => reporter.segments.find((s) => s.spans.some((x) => x.spanType === 'Entry' && x.operationName.startsWith('GET:/api'))));
  const url = (op: string) => seg.spans.find((s) => s.operationName === op)?.tags.find((t) => t.key === 'url')?.value;
  expect(url('GET:/api/items')).toBe(`http://127.0.0.1:${apiPort}/api/items?${REDACTED}&page=0`);
  expect(url('/viaHttp')).toBe(`${down}/viaHttp?${REDACTED}&page=1`);
  expect(url('/viaFetch')).toBe(`${down}/viaFetch?${REDACTED}&page=2`);
  // The downstream's own entry spans too, and nothing secret anywhere in what was reported.
  await waitFor(() => reporter.segments.length >= 3);
  const all = JSON.stringify(reporter.segments);
  expect(all).not.toMatch(/=S\d+|SESSION(IN|HTTP|FETCH)/);
});
