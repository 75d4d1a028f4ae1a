// The agent's lifecycle and its incoming-request rules: one agent per process, kill switch,
// ignore rules, peers, redaction, correlation, user spans and async context.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { currentAgent, decodeCorrelation, encodeCorrelation, encodeSw8, InMemoryReporter, setDiagLogger, start } from '../../src/node/index.js';
import type { NodeAgent, NodeAgentOptions, SegmentObject, SpanObject } from '../../src/node/index.js';
import { sleep, waitFor } from '../helpers/wait.js';

const reporter = new InMemoryReporter();
const servers: http.Server[] = [];
let agent: NodeAgent | undefined;

const entry = (op: string) => reporter.segments.find((s) => s.spans[0]!.operationName === op);
const tag = (span: SpanObject, key: string) => span.tags.find((t) => t.key === key)?.value;

function begin(options: Partial<NodeAgentOptions> = {}): NodeAgent {
  agent = start({ service: 'svc', serviceInstance: 'svc-1', reporter, flushOnExit: false, ...options });
  return agent;
}
/** Serves `handler` (sync or async: a rejection stays unhandled and fails the run). */
async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>, host = '127.0.0.1'): Promise<string> {
  const s = http.createServer((req, res) => void handler(req, res));
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, host, () => r()));
  const { port } = s.address() as AddressInfo;
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

beforeEach(() => reporter.clear());
afterEach(async () => {
  await agent?.shutdown();
  agent = undefined;
});
afterAll(() => {
  for (const s of servers) s.close();
});

describe('lifecycle', () => {
  it('returns the running agent on a second start, and starts afresh after shutdown', async () => {
    const a = begin();
    expect(start({ service: 'other' })).toBe(a);
    expect(currentAgent()).toBe(a);
    const p1 = a.shutdown();
    expect(a.shutdown()).toBe(p1);
    await expect(p1).resolves.toBeUndefined();
    expect(currentAgent()).toBeUndefined();
    const b = begin({ service: 'again' });
    expect(b).not.toBe(a);
    expect(b.options.service).toBe('again');
  });

  it('with the kill switch patches nothing and sends nothing, and user spans still run', async () => {
    const request = http.request;
    const emit = http.Server.prototype.emit;
    const a = begin({ enabled: false });
    expect(http.request).toBe(request);
    expect(http.Server.prototype.emit).toBe(emit);
    expect(a.reporter).not.toBe(reporter);
    expect(await a.withSpan('work', () => 42)).toBe(42);
    const url = await serve((_q, r) => void r.end('ok'));
    expect(await (await fetch(url + '/x')).text()).toBe('ok');
    await sleep(30);
    expect(reporter.segments).toEqual([]);
  });

  it('says once what is wrong with bad options and keeps safe defaults', async () => {
    const warnings: string[] = [];
    const a = begin({
      sampleRate: 3,
      errorStatusThreshold: Number.NaN,
      logger: { error: () => {}, warn: (m) => warnings.push(m), info: () => {}, debug: () => {} },
    });
    setDiagLogger(undefined, 'none');
    expect(a.options).toMatchObject({ sampleRate: 1, errorStatusThreshold: 400 });
    expect(warnings.filter((w) => w.includes('sampleRate'))).toHaveLength(1);
    expect(warnings.filter((w) => w.includes('errorStatusThreshold'))).toHaveLength(1);
  });
});

describe('first contact', () => {
  it('names unknown option keys in one diagnostic with the closest option, and still starts', () => {
    const warnings: string[] = [];
    const a = begin({ serviceName: 'orders', colector: 'oap:11800', logger: { error: () => {}, warn: (m: string) => warnings.push(m), info: () => {}, debug: () => {} } } as never);
    setDiagLogger(undefined, 'none');
    expect(a.options.service).toBe('svc');
    const unknown = warnings.filter((w) => w.includes('unknown option'));
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatch(/"serviceName" \(did you mean "service"\?\).*"colector" \(did you mean "collector"\?\)/);
  });

  it('names an invalid logLevel and keeps warnings on', () => {
    const warnings: string[] = [];
    begin({ logLevel: 'debugg' as never, logger: { error: () => {}, warn: (m) => warnings.push(m), info: () => {}, debug: () => {} } });
    setDiagLogger(undefined, 'none');
    expect(warnings).toEqual([expect.stringMatching(/logLevel "debugg" is not a level \(none, error, warn, info, debug\); did you mean "debug"\?; using warn/)]);
  });

  it('agent.reporter.stats is there for a reporter of your own and for the disabled agent', async () => {
    const a = begin();
    expect(a.reporter.stats).toEqual({ sent: 0, dropped: 0, failedSends: 0, queued: 0 });
    await a.withSpan('counted', () => 1);
    expect(a.reporter.stats.sent).toBe(1);
    expect(reporter.segments).toHaveLength(1);
    await a.shutdown();
    const off = begin({ enabled: false });
    await off.withSpan('discarded', () => 1);
    expect(off.reporter.stats).toMatchObject({ sent: 0, dropped: 1 });
  });
});

describe('start() never throws', () => {
  it('takes null or a non-object with one diagnostic, and an options object that throws gives a disabled agent', async () => {
    const said: string[] = [];
    const logger = { error: (m: string) => said.push(m), warn: (m: string) => said.push(m), info: () => {}, debug: () => {} };
    const a = start(null);
    expect(a.options.enabled).toBe(true);
    await a.shutdown();
    const b = start(42 as never);
    await b.shutdown();
    const hostile = {
      logger,
      reporter,
      get service(): string {
        throw new Error('getter boom');
      },
    };
    const request = http.request;
    const c = start(hostile as never);
    setDiagLogger(undefined, 'none');
    expect(c.options.enabled).toBe(false);
    expect(http.request).toBe(request);
    expect(await c.withSpan('still-runs', () => 7)).toBe(7);
    expect(said.some((m) => m.includes('could not start'))).toBe(true);
    await c.shutdown();
  });
});

describe('incoming requests', () => {
  it('skips ignored paths, methods and suffixes, and still serves them', async () => {
    begin({ ignorePaths: ['/health', '/static/**'], ignoreMethods: ['options'] });
    const url = await serve((req, res) => void res.end(req.url));
    for (const [path, method] of [['/health', 'GET'], ['/static/a/b.txt', 'GET'], ['/app.css', 'GET'], ['/logo.PNG', 'GET'], ['/api', 'OPTIONS'], ['/api', 'GET']]) {
      expect(await (await fetch(url + path!, { method })).text()).toBe(path);
    }
    await waitFor(() => entry('GET:/api'));
    await sleep(30);
    expect(reporter.segments.map((s) => s.spans[0]!.operationName)).toEqual(['GET:/api']);
  });

  it('takes the peer from x-forwarded-for, else the socket (IPv6 in brackets)', async () => {
    begin();
    const url = await serve((_q, r) => void r.end('ok'));
    await fetch(url + '/fwd', { headers: { 'x-forwarded-for': '203.0.113.7, 10.0.0.1' } });
    expect((await waitFor(() => entry('GET:/fwd'))).spans[0]!.peer).toBe('203.0.113.7');
    let v6: string | undefined;
    try {
      v6 = await serve((_q, r) => void r.end('ok'), '::1');
    } catch {
      return; // no IPv6 loopback here
    }
    await fetch(v6 + '/six');
    expect((await waitFor(() => entry('GET:/six'))).spans[0]!.peer).toMatch(/^\[::1\]:\d+$/);
  });

  it('redacts sensitive query values and marks statuses from the threshold', async () => {
    begin({ errorStatusThreshold: 500 });
    const url = await serve((req, res) => {
      res.statusCode = req.url!.startsWith('/gone') ? 404 : 502;
      res.end();
    });
    await fetch(`${url}/gone?Password=p&client_secret=s&sig=x&auth=a&api-key=k&access_token=t&page=2&q=key`);
    const camel = 'accessToken=1&refreshToken=2&clientSecret=3&privateKey=4&authToken=5&sessionId=6&api_key=7&X-Amz-Signature=8&user%5Bpassword%5D=9&keyword=10&key_id=11&author=12';
    await fetch(`${url}/camel?${camel}`);
    await fetch(`${url}/bad`);
    const gone = (await waitFor(() => entry('GET:/gone'))).spans[0]!;
    expect(tag(gone, 'url')).toBe(`${url}/gone?Password=***&client_secret=***&sig=***&auth=***&api-key=***&access_token=***&page=2&q=key`);
    expect(gone.isError).toBe(false);
    const camelUrl = tag((await waitFor(() => entry('GET:/camel'))).spans[0]!, 'url');
    expect(camelUrl).toBe(
      `${url}/camel?accessToken=***&refreshToken=***&clientSecret=***&privateKey=***&authToken=***&sessionId=***&api_key=***&X-Amz-Signature=***&user%5Bpassword%5D=***&keyword=10&key_id=11&author=12`,
    );
    expect(tag(gone, 'http.status_code')).toBe('404');
    expect((await waitFor(() => entry('GET:/bad'))).spans[0]!.isError).toBe(true);
  });

  it('names absolute-form requests (a proxy\'s) by their path and drops their credentials', async () => {
    begin();
    const url = await serve((req, res) => void res.end(req.url));
    const { port } = new URL(url);
    const raw = (target: string) =>
      new Promise<string>((resolve, reject) => {
        const sock = net.connect(Number(port), '127.0.0.1', () => sock.end(`GET ${target} HTTP/1.1\r\nHost: evil\r\nConnection: close\r\n\r\n`));
        let got = '';
        sock.setEncoding('utf8');
        sock.on('data', (d: string) => (got += d));
        sock.on('end', () => resolve(got));
        sock.on('error', reject);
      });
    expect(await raw('http://user:hunter2@evil/abs?token=t&page=1')).toContain('http://user:hunter2@evil/abs');
    const seg = await waitFor(() => entry('GET:/abs'));
    expect(tag(seg.spans[0]!, 'url')).toBe('http://evil/abs?token=***&page=1');
    expect(JSON.stringify(seg)).not.toContain('hunter2');
  });

  it('continues correlation and sw8-x from the caller and passes correlation on', async () => {
    begin();
    const down = await serve((req, res) => void res.end(String(req.headers['sw8-correlation'] ?? '')));
    const url = await serve(async (_q, res) => void res.end(await (await fetch(down + '/next')).text()));
    const sw8 = encodeSw8({
      sampled: true,
      traceId: 'a'.repeat(32),
      parentSegmentId: 'b'.repeat(32),
      parentSpanId: 3,
      parentService: 'web',
      parentServiceInstance: 'web-1',
      parentEndpoint: '/page',
      addressUsedAtClient: 'api:80',
    })!;
    const corr = encodeCorrelation({ tenant: 'acme' })!;
    const got = await (await fetch(url + '/corr', { headers: { sw8, 'sw8-correlation': corr, 'sw8-x': '1-' } })).text();
    expect(Object.fromEntries(decodeCorrelation(got))).toEqual({ tenant: 'acme' });
    const seg = await waitFor(() => entry('GET:/corr'));
    expect(seg.traceId).toBe('a'.repeat(32));
    expect(seg.spans[0]!.refs[0]).toMatchObject({ parentService: 'web', parentSpanId: 3, networkAddressUsedAtPeer: 'api:80' });
    expect(seg.spans.every((s) => s.skipAnalysis)).toBe(true);
  });
});

describe('async context and user spans', () => {
  it('parents spans made in timers, immediates, promises and body events to the request', async () => {
    const a = begin();
    const url = await serve(async (req, res) => {
      await new Promise<void>((r) => setTimeout(() => a.withSpan('from-timer', () => r()), 5));
      await new Promise<void>((r) => setImmediate(() => a.withSpan('from-immediate', () => r())));
      // The body's second chunk is sent only after the response headers arrive, so 'end'
      // comes from the HTTP parser, outside the handler's async context.
      res.writeHead(200);
      res.flushHeaders();
      await new Promise<void>((r) => {
        req.resume();
        req.on('end', () => void a.withSpan('from-body-end', () => r()));
      });
      await a.withSpan('outer', async () => {
        await sleep(1);
        await a.withSpan('inner', () => sleep(1));
      });
      res.end('ok');
    });
    const post = (path: string) =>
      new Promise<void>((resolve, reject) => {
        const req = http.request(url + path, { method: 'POST' }, (res) => {
          req.end('last chunk');
          res.resume();
          res.on('end', () => resolve());
        });
        req.on('error', reject);
        req.write('first chunk');
      });
    await Promise.all([post('/ctx/1'), post('/ctx/2')]);
    for (const name of ['POST:/ctx/1', 'POST:/ctx/2']) {
      const seg = (await waitFor(() => entry(name))) as SegmentObject;
      const byName = Object.fromEntries(seg.spans.map((s) => [s.operationName, s]));
      for (const n of ['from-timer', 'from-immediate', 'from-body-end', 'outer']) expect(byName[n], n).toMatchObject({ parentSpanId: 0, spanType: 'Local' });
      expect(byName.inner!.parentSpanId).toBe(byName.outer!.spanId);
      expect(seg.spans).toHaveLength(6);
    }
  });

  it('records throws and rejections on the user span and passes them on', async () => {
    const a = begin();
    expect(() => a.withSpan('sync', () => {
      throw new Error('boom');
    })).toThrow('boom');
    await expect(a.withSpan('async', async () => Promise.reject(new Error('later')))).rejects.toThrow('later');
    expect(a.activeSpan()).toBeUndefined();
    const [s1, s2] = await waitFor(() => reporter.segments.length === 2 && reporter.segments);
    for (const [seg, msg] of [[s1!, 'boom'], [s2!, 'later']] as const) {
      expect(seg.spans[0]).toMatchObject({ spanType: 'Local', isError: true, parentSpanId: -1 });
      expect(seg.spans[0]!.logs[0]!.data).toContainEqual({ key: 'message', value: msg });
    }
    await a.withSpan('seen', (span) => {
      expect(a.activeSpan()).toBe(span);
      expect(a.activeContext()?.traceId).toBeTruthy();
    });
  });
});
