// Outgoing requests in every call form: http/https request and get, fetch; header copies,
// IPv6 peers, aborts, thresholds, propagation targets, suppression.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeSw8, InMemoryReporter, runSuppressed, start } from '../../src/node/index.js';
import type { NodeAgent, NodeAgentOptions, SegmentObject, SpanObject } from '../../src/node/index.js';
import { waitFor } from '../helpers/wait.js';

interface Echo {
  sw8: string[];
  path: string;
  headers: Record<string, string | string[] | undefined>;
}

const reporter = new InMemoryReporter();
let agent: NodeAgent;
let plain: http.Server;
let v6: http.Server | undefined;
let secure: https.Server;
let hang: http.Server;
let plainPort: number;
let v6Port = 0;
let securePort: number;
let hangPort: number;
let closedPort: number;
let ca: Buffer;
let tmp: string;

// Answers with what arrived: every sw8 header line, the path, the headers.
const echo = (req: http.IncomingMessage, res: http.ServerResponse) => {
  const sw8: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === 'sw8') sw8.push(req.rawHeaders[i + 1]!);
  if (req.url?.startsWith('/status/')) res.statusCode = Number(req.url.slice(8, 11));
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ sw8, path: req.url ?? '', headers: req.headers } satisfies Echo));
};

const listen = (s: http.Server | https.Server, host = '127.0.0.1') =>
  new Promise<number>((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, host, () => resolve((s.address() as AddressInfo).port));
  });

function collect(res: http.IncomingMessage): Promise<Echo> {
  return new Promise((resolve, reject) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (d: string) => (body += d));
    res.on('end', () => resolve(JSON.parse(body) as Echo));
    res.on('error', reject);
  });
}
/** Wraps a callback-style request call into a promise of the echoed body. */
function call(make: (cb: (res: http.IncomingMessage) => void) => http.ClientRequest, end = true): Promise<Echo> {
  return new Promise((resolve, reject) => {
    const req = make((res) => void collect(res).then(resolve, reject));
    req.on('error', reject);
    if (end) req.end();
  });
}

/** Runs `fn` inside a user span and returns the reported segment. */
async function traced(name: string, fn: () => Promise<unknown>): Promise<SegmentObject> {
  await agent.withSpan(name, fn);
  return waitFor(() => reporter.segments.find((s) => s.spans.some((x) => x.spanType === 'Local' && x.operationName === name)));
}
const exits = (seg: SegmentObject) => seg.spans.filter((s) => s.spanType === 'Exit');
const tag = (span: SpanObject, key: string) => span.tags.find((t) => t.key === key)?.value;

function restart(options: Partial<NodeAgentOptions> = {}): Promise<void> {
  return agent.shutdown().then(() => {
    agent = start({ service: 'client', serviceInstance: 'client-1', reporter, flushOnExit: false, ...options });
  });
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'sw-client-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(tmp, 'key.pem'), '-out', join(tmp, 'cert.pem')],
    { stdio: 'ignore' },
  );
  ca = readFileSync(join(tmp, 'cert.pem'));
  agent = start({ service: 'client', serviceInstance: 'client-1', reporter, flushOnExit: false });
  plain = http.createServer(echo);
  plainPort = await listen(plain);
  secure = https.createServer({ key: readFileSync(join(tmp, 'key.pem')), cert: ca }, echo);
  securePort = await listen(secure);
  hang = http.createServer(() => {
    // never answers
  });
  hangPort = await listen(hang);
  const closed = http.createServer();
  closedPort = await listen(closed);
  await new Promise((r) => closed.close(r));
  try {
    v6 = http.createServer(echo);
    v6Port = await listen(v6, '::1');
  } catch {
    v6 = undefined; // no IPv6 loopback on this host
  }
});

afterAll(async () => {
  await agent.shutdown();
  for (const s of [plain, secure, hang, v6]) s?.close();
  hang.closeAllConnections();
  rmSync(tmp, { recursive: true, force: true });
});

beforeEach(() => reporter.clear());

describe('http and https clients', () => {
  it('traces every call form, with one sw8 whose address is the exit peer', async () => {
    const base = `http://127.0.0.1:${plainPort}`;
    const bodies: Echo[] = [];
    const seg = await traced('forms', async () => {
      bodies.push(await call((cb) => http.request(`${base}/a?q=1`, cb)));
      bodies.push(await call((cb) => http.request(new URL(`${base}/b`), cb)));
      bodies.push(await call((cb) => http.request({ host: '127.0.0.1', port: plainPort, path: '/c', method: 'POST' }, cb)));
      bodies.push(await call((cb) => http.request(`${base}/ignored`, { path: '/d', method: 'PUT' }, cb)));
      bodies.push(await call((cb) => http.get(`${base}/e`, cb), false));
      bodies.push(await call((cb) => http.get(new URL(`${base}/f`), { headers: { 'x-f': '1' } }, cb), false));
      bodies.push(await call((cb) => http.get({ hostname: '127.0.0.1', port: plainPort, path: '/g' }, cb), false));
    });
    const ex = exits(seg);
    expect(ex.map((s) => s.operationName)).toEqual(['/a', '/b', '/c', '/d', '/e', '/f', '/g']);
    expect(ex.map((s) => tag(s, 'http.method'))).toEqual(['GET', 'GET', 'POST', 'PUT', 'GET', 'GET', 'GET']);
    expect(bodies.map((b) => b.path)).toEqual(['/a?q=1', '/b', '/c', '/d', '/e', '/f', '/g']);
    expect(bodies[5]!.headers['x-f']).toBe('1');
    ex.forEach((span, i) => {
      expect(span).toMatchObject({ componentId: 2, spanLayer: 'Http', peer: `127.0.0.1:${plainPort}`, parentSpanId: 0, isError: false });
      expect(tag(span, 'http.status_code')).toBe('200');
      expect(bodies[i]!.sw8).toHaveLength(1);
      const sw8 = decodeSw8(bodies[i]!.sw8[0]!)!;
      expect(sw8).toMatchObject({ traceId: seg.traceId, parentSegmentId: seg.traceSegmentId, parentSpanId: span.spanId, addressUsedAtClient: span.peer });
    });
    expect(tag(ex[0]!, 'url')).toBe(`http://127.0.0.1:${plainPort}/a?q=1`);
  });

  it('leaves Node semantics alone: unread responses are discarded, unhandled errors still throw', async () => {
    const pool = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let second!: Echo;
    const seg = await traced('semantics', async () => {
      // Nobody listens for this response: Node discards it, so the only socket frees up.
      http.request({ host: '127.0.0.1', port: plainPort, path: '/unread', agent: pool }).end();
      second = await call((cb) => http.request({ host: '127.0.0.1', port: plainPort, path: '/next', agent: pool }, cb));
      const req = http.request({ host: '127.0.0.1', port: closedPort, path: '/x' });
      expect(() => req.emit('error', new Error('nobody listens'))).toThrow('nobody listens');
      req.on('error', () => {});
      expect(() => req.emit('error', new Error('handled'))).not.toThrow();
      req.destroy();
    });
    pool.destroy();
    expect(second.path).toBe('/next');
    expect(exits(seg).map((s) => [s.operationName, s.isError])).toEqual([
      ['/unread', false],
      ['/next', false],
      ['/x', true],
    ]);
  });

  it('ends an upgrade (WebSocket-style) request with its 101, not as an abort', async () => {
    const up = http.createServer();
    up.on('upgrade', (_req, socket) => {
      socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: demo\r\nConnection: Upgrade\r\n\r\n');
    });
    const port = await listen(up);
    const seg = await traced('upgrade', async () => {
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, path: '/ws', headers: { connection: 'Upgrade', upgrade: 'demo' } });
        req.on('upgrade', (res, socket) => {
          socket.destroy();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(101);
    });
    up.close();
    const [exit] = await waitFor(() => exits(seg).length === 1 && exits(seg));
    expect(exit).toMatchObject({ operationName: '/ws', isError: false });
    expect(tag(exit!, 'http.status_code')).toBe('101');
  });

  it('never puts credentials of the URL into the url tag', async () => {
    let body!: Echo;
    const seg = await traced('creds', async () => {
      body = await call((cb) => http.request(`http://alice:pw1@127.0.0.1:${plainPort}/c1?token=t`, cb));
      await (await fetch(`http://127.0.0.1:${plainPort}/c2?secret=s`, { headers: { authorization: 'Basic xyz' } })).text();
    });
    expect(body.headers.authorization).toBe(`Basic ${Buffer.from('alice:pw1').toString('base64')}`);
    const urls = exits(seg).map((s) => tag(s, 'url'));
    expect(urls).toEqual([`http://127.0.0.1:${plainPort}/c1?token=***`, `http://127.0.0.1:${plainPort}/c2?secret=***`]);
    expect(JSON.stringify(seg)).not.toMatch(/alice|pw1|xyz/);
  });

  it('names a proxy-style request (absolute URL as the path) by the target path, without credentials', async () => {
    const seg = await traced('via-proxy', () =>
      call((cb) => http.request({ host: '127.0.0.1', port: plainPort, path: 'http://user:hunter2@target.example:8080/abs?token=t&page=1' }, cb)),
    );
    const [exit] = exits(seg);
    // The peer is where the request went (the proxy); name and url describe the target.
    expect(exit).toMatchObject({ operationName: '/abs', peer: `127.0.0.1:${plainPort}` });
    expect(tag(exit!, 'url')).toBe('http://target.example:8080/abs?token=***&page=1');
    expect(JSON.stringify(seg)).not.toContain('hunter2');
  });

  it('replaces a caller sw8 in a copy and leaves the caller objects untouched', async () => {
    const headers = { sw8: 'old', 'x-a': '1', 'SW8-Correlation': 'stale' };
    const snapshot = JSON.stringify(headers);
    const options = { host: '127.0.0.1', port: plainPort, path: '/h', headers };
    const raw = ['Host', `127.0.0.1:${plainPort}`, 'X-B', '2', 'Sw8', 'old'];
    let obj!: Echo;
    let arr!: Echo;
    await traced('copies', async () => {
      obj = await call((cb) => http.request(options, cb));
      arr = await call((cb) => http.request({ host: '127.0.0.1', port: plainPort, path: '/i', headers: raw }, cb));
    });
    expect(JSON.stringify(headers)).toBe(snapshot);
    expect(options.headers).toBe(headers);
    expect(raw).toEqual(['Host', `127.0.0.1:${plainPort}`, 'X-B', '2', 'Sw8', 'old']);
    for (const body of [obj, arr]) {
      expect(body.sw8).toHaveLength(1);
      expect(decodeSw8(body.sw8[0]!)).toBeDefined();
    }
    expect(obj.headers['x-a']).toBe('1');
    expect(obj.headers['sw8-correlation']).toBeUndefined();
    expect(arr.headers['x-b']).toBe('2');
  });

  it('traces https.request and https.get with peer host:443-style ports', async () => {
    const seg = await traced('tls', async () => {
      await call((cb) => https.request({ host: '127.0.0.1', port: securePort, path: '/s1', ca }, cb));
      await call((cb) => https.get(`https://localhost:${securePort}/s2?password=hunter2`, { ca }, cb), false);
    });
    const [a, b] = exits(seg);
    expect(a).toMatchObject({ operationName: '/s1', peer: `127.0.0.1:${securePort}`, componentId: 2 });
    expect(b).toMatchObject({ operationName: '/s2', peer: `localhost:${securePort}` });
    expect(tag(b!, 'url')).toBe(`https://localhost:${securePort}/s2?password=***`);
    // The https server side is traced too, with an https url tag.
    const entry = await waitFor(() => reporter.segments.find((s) => s.spans[0]!.operationName === 'GET:/s2'));
    expect(tag(entry.spans[0]!, 'url')).toBe(`https://localhost:${securePort}/s2?password=***`);
    expect(entry.spans[0]!.refs[0]).toMatchObject({ parentTraceSegmentId: seg.traceSegmentId, networkAddressUsedAtPeer: `localhost:${securePort}` });
  });

  it('writes IPv6 peers in brackets, identical in sw8 (http and fetch)', async (ctx) => {
    if (!v6) return ctx.skip('no IPv6 loopback (::1) on this host');
    let viaHttp!: Echo;
    let viaFetch!: Echo;
    const seg = await traced('v6', async () => {
      viaHttp = await call((cb) => http.request({ host: '::1', port: v6Port, path: '/v6' }, cb));
      viaFetch = (await (await fetch(`http://[::1]:${v6Port}/v6f`)).json()) as Echo;
    });
    const [a, b] = exits(seg);
    expect(a!.peer).toBe(`[::1]:${v6Port}`);
    expect(b!.peer).toBe(`[::1]:${v6Port}`);
    expect(decodeSw8(viaHttp.sw8[0]!)!.addressUsedAtClient).toBe(a!.peer);
    expect(decodeSw8(viaFetch.sw8[0]!)!.addressUsedAtClient).toBe(b!.peer);
  });

  it('marks refused, timed-out and >= 400 calls as errors', async () => {
    const seg = await traced('errors', async () => {
      await call((cb) => http.request(`http://127.0.0.1:${plainPort}/status/404`, cb));
      await call((cb) => http.request(`http://127.0.0.1:${plainPort}/status/302`, cb));
      await new Promise<void>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port: hangPort, path: '/hang', timeout: 30 });
        req.on('timeout', () => req.destroy(new Error('gave up')));
        req.on('error', () => resolve());
      });
    });
    const [a, b, c] = exits(seg);
    expect(a).toMatchObject({ operationName: '/status/404', isError: true });
    expect(tag(a!, 'http.status_code')).toBe('404');
    expect(b).toMatchObject({ isError: false });
    expect(c).toMatchObject({ operationName: '/hang', isError: true });
  });
});

describe('fetch', () => {
  it('traces fetch, replaces sw8 given as a Headers object without touching it', async () => {
    const headers = new Headers({ sw8: 'old', 'x-k': 'v' });
    let body!: Echo;
    const seg = await traced('fetch', async () => {
      body = (await (await fetch(`http://127.0.0.1:${plainPort}/f1?api_key=abc&n=2`, { method: 'POST', headers, body: 'x' })).json()) as Echo;
      await (await fetch(`http://127.0.0.1:${plainPort}/status/503`)).text();
    });
    expect([...headers.entries()]).toEqual([
      ['sw8', 'old'],
      ['x-k', 'v'],
    ]);
    expect(body.sw8).toHaveLength(1);
    expect(body.headers['x-k']).toBe('v');
    const [a, b] = exits(seg);
    expect(a).toMatchObject({ operationName: '/f1', peer: `127.0.0.1:${plainPort}`, componentId: 2, spanLayer: 'Http', isError: false });
    expect(tag(a!, 'http.method')).toBe('POST');
    expect(tag(a!, 'url')).toBe(`http://127.0.0.1:${plainPort}/f1?api_key=***&n=2`);
    expect(decodeSw8(body.sw8[0]!)).toMatchObject({ parentSpanId: a!.spanId, addressUsedAtClient: a!.peer, traceId: seg.traceId });
    expect(b).toMatchObject({ isError: true });
    expect(tag(b!, 'http.status_code')).toBe('503');
  });

  it('marks aborted and refused fetches as errors', async () => {
    const seg = await traced('fetch-fail', async () => {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 30);
      await fetch(`http://127.0.0.1:${hangPort}/slow`, { signal: ac.signal }).catch(() => {});
      await fetch(`http://127.0.0.1:${closedPort}/refused`).catch(() => {});
    });
    const [a, b] = exits(seg);
    expect(a).toMatchObject({ operationName: '/slow', isError: true });
    expect(b).toMatchObject({ operationName: '/refused', isError: true, peer: `127.0.0.1:${closedPort}` });
  });

  it('traces nothing of the agent own (suppressed) traffic', async () => {
    let body!: Echo;
    let raw!: Echo;
    const seg = await traced('own', async () => {
      body = (await runSuppressed(() => fetch(`http://127.0.0.1:${plainPort}/own`)).then((r) => r.json())) as Echo;
      raw = await runSuppressed(() => call((cb) => http.request(`http://127.0.0.1:${plainPort}/own2`, cb)));
    });
    expect(exits(seg)).toEqual([]);
    expect(body.sw8).toEqual([]);
    expect(raw.sw8).toEqual([]);
    // The (in-process) receiving server still sees a request, but one that starts a new trace.
    const served = await waitFor(() => reporter.segments.find((s) => s.spans[0]!.operationName === 'GET:/own'));
    expect(served.spans[0]!.refs).toEqual([]);
  });
});

describe('options for outgoing requests', () => {
  afterAll(() => restart());

  it('leaves a caller sw8 alone when it injects none (not a propagation target)', async () => {
    await restart({ propagateTo: ['only.example'] });
    const mine = 'caller-own-sw8';
    const seg = await traced('not-a-target', async () => {
      const viaObject = await call((cb) => http.request({ host: '127.0.0.1', port: plainPort, path: '/mine', headers: { sw8: mine } }, cb));
      const viaArray = await call((cb) => http.request({ host: '127.0.0.1', port: plainPort, path: '/mine2', headers: ['host', `127.0.0.1:${plainPort}`, 'sw8', mine] }, cb));
      const viaFetch = (await (await fetch(`http://127.0.0.1:${plainPort}/mine3`, { headers: { sw8: mine } })).json()) as Echo;
      expect([viaObject.sw8, viaArray.sw8, viaFetch.sw8]).toEqual([[mine], [mine], [mine]]);
    });
    // Still traced, just without propagation.
    expect(exits(seg).map((s) => s.operationName)).toEqual(['/mine', '/mine2', '/mine3']);
  });

  it('sends sw8 only to propagation targets, and traces without a parent when asked', async () => {
    await restart({ propagateTo: ['localhost'], traceWithoutParent: true, errorStatusThreshold: 500 });
    const toIp = (await (await fetch(`http://127.0.0.1:${plainPort}/status/404`)).json()) as Echo;
    const toName = await call((cb) => http.request(`http://localhost:${plainPort}/named`, cb));
    expect(toIp.sw8).toEqual([]);
    expect(toName.sw8).toHaveLength(1);
    // Without a parent each call is its own segment with a single exit span.
    const lone = await waitFor(() => {
      const s = reporter.segments.filter((x) => x.spans.length === 1 && x.spans[0]!.spanType === 'Exit');
      return s.length === 2 && s;
    });
    const byOp = Object.fromEntries(lone.map((s) => [s.spans[0]!.operationName, s.spans[0]!]));
    // 404 is below the configured threshold of 500.
    expect(byOp['/status/404']).toMatchObject({ isError: false, parentSpanId: -1 });
    expect(byOp['/named']).toMatchObject({ peer: `localhost:${plainPort}` });
  });
});
