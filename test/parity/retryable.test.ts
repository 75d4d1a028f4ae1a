// The Node and browser reporters retry the same failed sends: one table (src/core/retryable.ts),
// checked through each runtime's own transports: Node's HTTP/2 gRPC caller and REST transport
// against real servers, the page's gRPC-web and HTTP transports with an injected fetch.
import http from 'node:http';
import http2 from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransportError } from '../../src/core/index.js';
import { grpcWebTransport, httpTransport } from '../../src/browser/transport.js';
import { Http2Caller } from '../../src/node/reporter/h2-transport.js';
import { HttpSegmentTransport } from '../../src/node/reporter/http-transport.js';
import { listen } from '../helpers/ports.js';

/** What became of a send: delivered, or failed and retried or not. */
type Outcome = 'ok' | 'retry' | 'drop';
const outcome = (p: Promise<unknown>): Promise<Outcome> =>
  p.then(
    () => 'ok',
    (err: unknown) => {
      expect(err).toBeInstanceOf(TransportError);
      return (err as TransportError).retryable ? 'retry' : 'drop';
    },
  );

// Every gRPC status code, and an answer that carries none (read as UNKNOWN by both).
const GRPC: Array<number | undefined> = [...Array.from({ length: 17 }, (_, code) => code), undefined];
// Every error status a collector or a proxy in front of it may answer a POST with.
const HTTP = Array.from({ length: 200 }, (_, i) => 400 + i);

let answer: number | undefined;
const h2 = http2.createServer();
h2.on('stream', (stream) => {
  const code = answer;
  stream.respond({ ':status': 200, 'content-type': 'application/grpc+proto' }, { waitForTrailers: code !== undefined });
  stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(code) }));
  stream.resume();
  stream.end();
});
const h1 = http.createServer((req, res) => {
  req.resume();
  res.writeHead(answer!).end();
});
let grpc: Http2Caller;
let rest: HttpSegmentTransport;

beforeAll(async () => {
  grpc = new Http2Caller({ address: `127.0.0.1:${await listen(h2 as never)}`, secure: false });
  rest = new HttpSegmentTransport(`http://127.0.0.1:${await listen(h1)}`, {});
});
afterAll(() => {
  grpc.close();
  rest.close();
  h2.close();
  h1.close();
});

function trailerFrame(code: number): Uint8Array<ArrayBuffer> {
  const text = new TextEncoder().encode(`grpc-status:${code}\r\n`);
  const frame = new Uint8Array(5 + text.length);
  frame[0] = 0x80;
  new DataView(frame.buffer).setUint32(1, text.length);
  frame.set(text, 5);
  return frame;
}

const options = { timeoutMs: 5000, final: false };

describe('Node and browser reporters retry the same failures', () => {
  it('gRPC: the same outcome for every status code and for an answer without one', async () => {
    const node: Record<string, Outcome> = {};
    const page: Record<string, Outcome> = {};
    for (const code of GRPC) {
      answer = code;
      node[String(code)] = await outcome(grpc.call('/skywalking.v3.TraceSegmentReportService/collect', [new Uint8Array([1])], { timeoutMs: 5000 }));
      const res = new Response(code === undefined ? new Uint8Array(0) : trailerFrame(code));
      page[String(code)] = await outcome(grpcWebTransport((async () => res) as unknown as typeof fetch, '/c')([new Uint8Array([1])], options));
    }
    expect(page).toEqual(node);
    // CANCELLED, UNKNOWN (also no status), DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE.
    expect(Object.keys(node).filter((k) => node[k] === 'retry')).toEqual(['1', '2', '4', '8', '10', '13', '14', 'undefined']);
    expect(node['0']).toBe('ok');
  });

  it('HTTP: the same outcome for every 4xx and 5xx answer', async () => {
    const node: Record<number, Outcome> = {};
    const page: Record<number, Outcome> = {};
    for (const status of HTTP) {
      answer = status;
      node[status] = await outcome(rest.send([new TextEncoder().encode('{}')], options));
      page[status] = await outcome(httpTransport((async () => new Response(null, { status })) as unknown as typeof fetch, '/c')(['{}'], options));
      // gRPC-web posts are judged by the same table before their status is read.
      const grpcWeb = await outcome(grpcWebTransport((async () => new Response(null, { status })) as unknown as typeof fetch, '/c')([new Uint8Array([1])], options));
      expect(grpcWeb, `gRPC-web POST answered ${status}`).toBe(page[status]);
    }
    expect(page).toEqual(node);
    // Request timeout, too many requests and every server error; no other 4xx.
    expect(HTTP.filter((s) => node[s] === 'retry')).toEqual([408, 429, ...HTTP.filter((s) => s >= 500)]);
  });
});
