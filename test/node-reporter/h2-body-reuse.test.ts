// The node:http2 gRPC caller reuses one body buffer from send to send (a fresh buffer per
// batch sat in RSS until a full GC). Reuse must never let a later send write over a body
// that is still being sent: every call's messages arrive intact, whatever the order and
// overlap of the calls.
import http2 from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Http2Caller } from '../../src/node/reporter/h2-transport.js';
import { splitFrames } from '../../src/server/grpc-frame.js';
import { listen } from '../helpers/ports.js';

const received: string[][] = [];
const server = http2.createServer();
server.on('stream', (stream) => {
  const parts: Buffer[] = [];
  stream.on('data', (d: Buffer) => parts.push(d));
  stream.on('end', () => {
    const split = splitFrames(Buffer.concat(parts));
    received.push((split.frames ?? []).map((f) => Buffer.from(f.payload).toString('latin1')));
    stream.respond({ ':status': 200, 'content-type': 'application/grpc+proto' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end();
  });
});

let caller: Http2Caller;
beforeAll(async () => {
  caller = new Http2Caller({ address: `127.0.0.1:${await listen(server as never)}`, secure: false });
});
afterAll(() => {
  caller.close();
  server.close();
});

const batch = (tag: string, count: number, size: number): Uint8Array[] =>
  Array.from({ length: count }, (_, i) => Buffer.from(`${tag}${i}:`.padEnd(size, tag)));
const text = (b: Uint8Array[]): string[] => b.map((m) => Buffer.from(m).toString('latin1'));

describe('node:http2 caller: body buffer reuse', () => {
  it('sends, one after the other, a large, a small and a large batch intact', async () => {
    received.length = 0;
    const batches = [batch('a', 400, 300), batch('b', 3, 20), batch('c', 500, 310)];
    for (const b of batches) await caller.call('/x/collect', b, { timeoutMs: 10_000 });
    expect(received).toEqual(batches.map(text));
  });

  it('sends overlapping calls intact (a call in flight keeps its own buffer)', async () => {
    received.length = 0;
    const batches = Array.from({ length: 8 }, (_, i) => batch(String.fromCharCode(100 + i), 50 + i * 40, 200 + i));
    await Promise.all(batches.map((b) => caller.call('/x/collect', b, { timeoutMs: 10_000 })));
    const sorted = (l: string[][]) => [...l].sort((x, y) => x[0]!.localeCompare(y[0]!));
    expect(sorted(received)).toEqual(sorted(batches.map(text)));
  });
});
