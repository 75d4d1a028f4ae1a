// The request's trace reaches callbacks that Node's HTTP parser fires later, outside the
// handler's async context: 'data'/'end' of the request body, 'finish' of the response,
// and whatever middleware (express.json) runs from them.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InMemoryReporter, start } from '../../src/node/index.js';
import type { NodeAgent, SegmentObject } from '../../src/node/index.js';
import { waitFor } from '../helpers/wait.js';

const reporter = new InMemoryReporter();
let agent: NodeAgent;
const servers: http.Server[] = [];
let downUrl: string;
const seenSw8: string[] = [];

async function listen(handler: http.RequestListener): Promise<string> {
  const s = http.createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}
const entry = (op: string) => reporter.segments.find((s) => s.spans[0]!.spanType === 'Entry' && s.spans[0]!.operationName === op);

/**
 * POSTs a body in two chunks with a pause between them over a raw http.request (the agent
 * does not trace it: no active span), so the server's 'data' and 'end' events surely come
 * from the parser, long after the handler returned.
 */
function slowPost(url: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(url + path, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.write('{"a":');
    setTimeout(() => req.end('1}'), 30);
  });
}

beforeAll(async () => {
  agent = start({ service: 'body', serviceInstance: 'body-1', reporter, flushOnExit: false });
  downUrl = await listen((req, res) => {
    seenSw8.push(String(req.headers.sw8 ?? ''));
    res.end('down');
  });
});
beforeEach(() => {
  reporter.clear();
  seenSw8.length = 0;
});
afterAll(async () => {
  for (const s of servers) s.close();
  await agent.shutdown();
});

/** The downstream's entry must continue the caller's trace under its exit span. */
async function expectOneTrace(entryName: string, exitName = '/down'): Promise<SegmentObject> {
  const seg = await waitFor(() => entry(entryName));
  const downSeg = await waitFor(() => entry('GET:' + exitName));
  const exit = seg.spans.find((s) => s.spanType === 'Exit' && s.operationName === exitName);
  expect(exit, 'exit span recorded in the request segment').toBeDefined();
  expect(exit!.parentSpanId).toBe(0);
  expect(downSeg.traceId).toBe(seg.traceId);
  expect(downSeg.spans[0]!.refs[0]).toMatchObject({ parentTraceSegmentId: seg.traceSegmentId, parentSpanId: exit!.spanId });
  expect(seenSw8[0]).toBeTruthy();
  return seg;
}

describe('callbacks fired by the HTTP parser', () => {
  it("keeps the trace in req.on('data') and req.on('end') of a plain node:http handler", async () => {
    const url = await listen((req, res) => {
      let body = '';
      let dataSpan = false;
      req.setEncoding('utf8');
      req.on('data', (d: string) => {
        body += d;
        dataSpan ||= agent.activeSpan() !== undefined;
      });
      req.on('end', () => {
        void fetch(downUrl + '/down')
          .then((r) => r.text())
          .then((t) => res.end(JSON.stringify({ body, t, dataSpan })), (e: unknown) => res.end(String(e)));
      });
    });
    expect(JSON.parse(await slowPost(url, '/upload'))).toEqual({ body: '{"a":1}', t: 'down', dataSpan: true });
    const seg = await expectOneTrace('POST:/upload');
    expect(seg.spans).toHaveLength(2);
  });

  it("keeps the trace in once('end') and res.on('finish'), and removeListener still works", async () => {
    let finishInTrace: unknown = 'unset';
    const url = await listen((req, res) => {
      const mine = agent.activeContext();
      const never = () => {
        throw new Error('removed listener ran');
      };
      req.on('data', never);
      req.removeListener('data', never);
      req.resume();
      res.on('finish', () => (finishInTrace = mine !== undefined && agent.activeContext() === mine));
      req.once('end', () => void agent.withSpan('after-end', () => res.end('ok')));
    });
    expect(await slowPost(url, '/once')).toBe('ok');
    const seg = await waitFor(() => entry('POST:/once'));
    expect(seg.spans.find((s) => s.operationName === 'after-end')).toMatchObject({ parentSpanId: 0, spanType: 'Local' });
    expect(finishInTrace).toBe(true);
  });

  it('keeps the trace through express.json() into the route handler', async () => {
    const app = express();
    app.use(express.json());
    app.post('/orders', async (req, res) => {
      const t = await (await fetch(downUrl + '/down')).text();
      res.json({ got: req.body as unknown, t });
    });
    const url = await listen(app);
    expect(JSON.parse(await slowPost(url, '/orders'))).toEqual({ got: { a: 1 }, t: 'down' });
    await expectOneTrace('POST:/orders');
  });

  it('never leaks one request\'s trace into another\'s body callbacks', async () => {
    const url = await listen((req, res) => {
      const mine = agent.activeContext()?.traceId;
      req.resume();
      req.on('end', () => res.end(String(agent.activeContext()?.traceId === mine && mine !== undefined)));
    });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => slowPost(url, `/many/${i}`)));
    expect(answers).toEqual(Array.from({ length: 20 }, () => 'true'));
  });
});
