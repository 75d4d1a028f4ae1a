// The browser reporters' wire logic, with an injected fetch: framing, status from trailer
// frame or headers, which failures are retried, keepalive within its budget, byte sizes.
import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryReporter, Tracer, TransportError } from '../../src/core/index.js';
import type { SegmentObject } from '../../src/core/index.js';
import { GRPC_WEB_PATH, grpcWebTransport, httpTransport, keepaliveBytes, sizeOf } from '../../src/browser/transport.js';
import { peerOf, resolveUrl, tagUrl } from '../../src/browser/url.js';
import { decodeAs } from '../helpers/proto.js';

function segment(): SegmentObject {
  const r = new InMemoryReporter();
  const ctx = new Tracer({ service: 'web', serviceInstance: '1', reporter: r }).createTracingContext({ endpoint: '/p' });
  ctx.createExitSpan('/p', null, 'api:443').end();
  return r.segments[0]!;
}

const trailer = (status: number) => {
  const t = Buffer.from(`grpc-status:${status}\r\n`);
  const f = Buffer.alloc(5 + t.length);
  f[0] = 0x80;
  f.writeUInt32BE(t.length, 1);
  t.copy(f, 5);
  return f;
};

describe('gRPC-web transport', () => {
  it('posts one framed SegmentCollection with the gRPC-web headers', async () => {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const fetchFn = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(trailer(0), { status: 200 });
    }) as unknown as typeof fetch;
    const { encodeSegment } = await import('../../src/core/index.js');
    const seg = segment();
    await grpcWebTransport(fetchFn, 'https://app.example/skywalking' + GRPC_WEB_PATH)([encodeSegment(seg)], { timeoutMs: 1000, final: false });
    expect(calls[0]!.url).toBe('https://app.example/skywalking/skywalking.v3.TraceSegmentReportService/collectInSync');
    expect(calls[0]!.init.headers).toMatchObject({ 'content-type': 'application/grpc-web+proto', 'x-grpc-web': '1' });
    const body = Buffer.from(calls[0]!.init.body as Uint8Array);
    expect(body[0]).toBe(0);
    expect(body.readUInt32BE(1)).toBe(body.length - 5);
    expect(decodeAs('SegmentCollection', body.subarray(5)).segments).toEqual([seg]);
  });

  it('reads the status from the trailer frame or the headers and retries only what is worth retrying', async () => {
    const cases: Array<[Response, boolean | 'ok']> = [
      [new Response(trailer(0)), 'ok'],
      [new Response(trailer(14)), true],
      [new Response(null, { headers: { 'grpc-status': '7' } }), false],
      [new Response(null, { headers: { 'grpc-status': '14' } }), true],
      [new Response('x', { status: 503 }), true],
      [new Response('x', { status: 429 }), true],
      [new Response('x', { status: 400 }), false],
    ];
    for (const [res, expected] of cases) {
      const t = grpcWebTransport((async () => res) as unknown as typeof fetch, '');
      const err = await t([new Uint8Array([1])], { timeoutMs: 100, final: false }).then(() => 'ok' as const, (e: unknown) => e);
      if (expected === 'ok') expect(err).toBe('ok');
      else {
        expect(err).toBeInstanceOf(TransportError);
        expect((err as TransportError).retryable).toBe(expected);
      }
    }
    const down = grpcWebTransport((async () => Promise.reject(new TypeError('Failed to fetch'))) as unknown as typeof fetch, '');
    const err = await down([new Uint8Array([1])], { timeoutMs: 100, final: false }).catch((e: unknown) => e);
    expect((err as TransportError).retryable).toBe(true);
  });

  it('sends keepalive requests on page hide without waiting for the body', async () => {
    let init: RequestInit | undefined;
    const t = httpTransport((async (_u: string, i: RequestInit) => ((init = i), new Response('{}'))) as unknown as typeof fetch, '/sw');
    await t([JSON.stringify(segment())], { timeoutMs: 100, final: true });
    expect(init).toMatchObject({ keepalive: true, method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(new TextDecoder().decode(init!.body as Uint8Array))[0].spans[0].spanType).toBe('Exit');
  });
});

describe('keepalive budget and sizes', () => {
  const g = globalThis as { document?: unknown };
  afterEach(() => {
    delete g.document;
  });

  it('while the page is hidden, sends use keepalive as long as the bodies in flight stay within 64 KiB', async () => {
    const seen: Array<{ keepalive?: boolean; size: number; inFlight: number }> = [];
    const answers: Array<() => void> = [];
    const fetchFn = (async (_u: string, i: RequestInit) => {
      seen.push({ keepalive: i.keepalive, size: (i.body as Uint8Array).length, inFlight: keepaliveBytes });
      await new Promise<void>((r) => answers.push(r));
      return new Response('{}');
    }) as unknown as typeof fetch;
    const t = httpTransport(fetchFn, '/sw');
    const item = JSON.stringify('x'.repeat(40_000));
    const send = () => t([item], { timeoutMs: 1000, final: false });

    const visible = send();
    g.document = { visibilityState: 'hidden' };
    const first = send();
    const second = send(); // 2 × 40 KB would exceed the budget: no keepalive
    expect(seen.map((s) => s.keepalive)).toEqual([false, true, false]);
    expect(keepaliveBytes).toBe(seen[1]!.size);
    for (const a of answers.splice(0)) a();
    await Promise.all([visible, first, second]);
    expect(keepaliveBytes).toBe(0);
    const third = send(); // the budget is free again
    expect(seen[3]!.keepalive).toBe(true);
    answers[0]!();
    await third;
  });

  it('a failed keepalive send releases its share of the budget', async () => {
    g.document = { visibilityState: 'hidden' };
    const t = httpTransport((async () => Promise.reject(new TypeError('quota'))) as unknown as typeof fetch, '/sw');
    await expect(t([JSON.stringify('y'.repeat(1000))], { timeoutMs: 100, final: false })).rejects.toBeInstanceOf(TransportError);
    expect(keepaliveBytes).toBe(0);
  });

  it('measures JSON in UTF-8 bytes, not characters', () => {
    expect(sizeOf('abc')).toBe(3);
    expect(sizeOf('"é"')).toBe(4);
    expect(sizeOf('日本')).toBe(6);
    expect(sizeOf('😀')).toBe(4);
    expect(sizeOf(new Uint8Array(7))).toBe(7);
  });
});

describe('browser URL helpers', () => {
  it('always gives a port, brackets IPv6, and redacts sensitive query values', () => {
    expect(peerOf(new URL('https://api.example/x'))).toBe('api.example:443');
    expect(peerOf(new URL('http://api.example/x'))).toBe('api.example:80');
    expect(peerOf(new URL('http://[::1]:8080/x'))).toBe('[::1]:8080');
    expect(tagUrl(new URL('https://u:p@a.example/x?q=1#frag'))).toBe('https://a.example/x?q=1');
    expect(tagUrl(new URL('https://a.example/x?access_token=abc&q=1'))).toBe('https://a.example/x?access_token=***&q=1');
    // Names are matched unescaped; the query is otherwise kept as written.
    expect(tagUrl(new URL('https://a.example/x?%74oken=abc&q=a%20b+c&Session&PWD=1'))).toBe('https://a.example/x?%74oken=***&q=a%20b+c&Session&PWD=***');
  });
  it('resolves request URLs against the document base URL, else the location', () => {
    const g = globalThis as { document?: unknown; location?: unknown };
    try {
      g.location = new URL('https://app.example/shop/cart');
      expect(resolveUrl('items').href).toBe('https://app.example/shop/items');
      g.document = { baseURI: 'https://cdn.example/base/' };
      expect(resolveUrl('items').href).toBe('https://cdn.example/base/items');
    } finally {
      delete g.document;
      delete g.location;
    }
  });
});
