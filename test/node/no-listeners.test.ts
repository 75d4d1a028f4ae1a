// The agent traces a request without adding listeners to it: the app sees exactly the
// listeners it added (libraries decide on listenerCount, e.g. whether an 'error' is handled
// or a response body must be drained), and no closure per request is kept alive.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryReporter, start } from '../../src/node/index.js';
import type { NodeAgent, SegmentObject } from '../../src/node/index.js';
import { waitFor } from '../helpers/wait.js';

const reporter = new InMemoryReporter();
let agent: NodeAgent;
let server: http.Server;
let port: number;
// What the handler saw on the response it was given, before adding anything, per path.
const seen = new Map<string, number[]>();

beforeAll(async () => {
  agent = start({ service: 'listeners', serviceInstance: 'l-1', reporter, flushOnExit: false });
  server = http.createServer((req, res) => {
    seen.set(req.url!, ['close', 'finish', 'error', 'end', 'data'].map((e) => (e === 'end' || e === 'data' ? req : res).listenerCount(e)));
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await agent.shutdown();
  server.close();
});

const entryOf = (path: string) => (s: SegmentObject) => s.spans.some((x) => x.spanType === 'Entry' && x.operationName === `GET:${path}`);

describe('no listeners added by the agent', () => {
  it('on an incoming request’s response: the entry span still ends with the status', async () => {
    reporter.clear();
    // A stylesheet is not traced (default ignoreSuffixes): what Node itself puts there.
    await fetch(`http://127.0.0.1:${port}/untraced.css`).then((r) => r.text());
    await fetch(`http://127.0.0.1:${port}/plain`).then((r) => r.text());
    const seg = await waitFor(() => reporter.segments.find(entryOf('/plain')));
    expect(seen.get('/plain')).toEqual(seen.get('/untraced.css'));
    expect(seg.spans[0]!.tags).toContainEqual({ key: 'http.status_code', value: '200' });
  });

  it('on an outgoing request: its exit span still ends, and an unlistened response is drained', async () => {
    reporter.clear();
    const counts: number[] = [];
    await agent.withSpan('calls', async () => {
      await new Promise<void>((resolve, reject) => {
        const req = http.get(`http://127.0.0.1:${port}/out`, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        // Only the app's own 'response' callback; no 'error', 'timeout' or 'close' listener of ours.
        counts.push(req.listenerCount('response'), req.listenerCount('error'), req.listenerCount('timeout'), req.listenerCount('close'));
        req.on('error', reject);
      });
      // No 'response' listener at all: Node drains the body itself, the request completes.
      await new Promise<void>((resolve, reject) => {
        const req = http.get(`http://127.0.0.1:${port}/drained`);
        req.on('close', () => resolve());
        req.on('error', reject);
      });
    });
    expect(counts).toEqual([1, 0, 0, 0]);
    const seg = await waitFor(() => reporter.segments.find((s) => s.spans.some((x) => x.operationName === 'calls')));
    const exits = seg.spans.filter((s) => s.spanType === 'Exit');
    expect(exits.map((s) => s.operationName)).toEqual(['/out', '/drained']);
    for (const e of exits) expect(e.tags).toContainEqual({ key: 'http.status_code', value: '200' });
  });
});
