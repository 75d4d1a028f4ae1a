// The browser reporters' wire logic, with an injected fetch: framing, status from trailer
// frame or headers, and which failures are retried.
import { describe, expect, it } from 'vitest';
import { InMemoryReporter, Tracer, TransportError } from '../../src/core/index.js';
import type { SegmentObject } from '../../src/core/index.js';
import { grpcWebTransport, httpTransport } from '../../src/browser/transport.js';
import { allowTest, peerOf, tagUrl } from '../../src/browser/url.js';
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
    await grpcWebTransport(fetchFn, 'https://app.example/skywalking').send([encodeSegment(seg)], { timeoutMs: 1000, final: false });
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
      const err = await t.send([new Uint8Array([1])], { timeoutMs: 100, final: false }).then(() => 'ok' as const, (e: unknown) => e);
      if (expected === 'ok') expect(err).toBe('ok');
      else {
        expect(err).toBeInstanceOf(TransportError);
        expect((err as TransportError).retryable).toBe(expected);
      }
    }
    const down = grpcWebTransport((async () => Promise.reject(new TypeError('Failed to fetch'))) as unknown as typeof fetch, '');
    const err = await down.send([new Uint8Array([1])], { timeoutMs: 100, final: false }).catch((e: unknown) => e);
    expect((err as TransportError).retryable).toBe(true);
  });

  it('sends keepalive requests on page hide without waiting for the body', async () => {
    let init: RequestInit | undefined;
    const t = httpTransport((async (_u: string, i: RequestInit) => ((init = i), new Response('{}'))) as unknown as typeof fetch, '/sw');
    await t.send([JSON.stringify(segment())], { timeoutMs: 100, final: true });
    expect(init).toMatchObject({ keepalive: true, method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(init!.body as string)[0].spans[0].spanType).toBe('Exit');
  });
});

describe('browser URL helpers', () => {
  it('always gives a port, brackets IPv6, and redacts sensitive query values', () => {
    expect(peerOf(new URL('https://api.example/x'))).toBe('api.example:443');
    expect(peerOf(new URL('http://api.example/x'))).toBe('api.example:80');
    expect(peerOf(new URL('http://[::1]:8080/x'))).toBe('[::1]:8080');
    expect(tagUrl(new URL('https://u:p@a.example/x?q=1#frag'))).toBe('https://a.example/x?q=1');
    expect(tagUrl(new URL('https://a.example/x?access_token=abc&q=1'))).toBe('https://a.example/x?access_token=***&q=1');
  });
  it('propagates to the own origin and allow-listed ones only', () => {
    const allow = allowTest('https://app.example', ['https://api.example/', /\.internal\.example$/]);
    expect(allow(new URL('https://app.example/a'))).toBe(true);
    expect(allow(new URL('https://api.example/a'))).toBe(true);
    expect(allow(new URL('https://svc.internal.example'))).toBe(false);
    expect(allow(new URL('https://evil.example/a'))).toBe(false);
    const thrower = allowTest('https://app.example', () => {
      throw new Error('bad predicate');
    });
    expect(thrower(new URL('https://x.example'))).toBe(false);
  });
});
