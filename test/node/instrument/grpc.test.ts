// @grpc/grpc-js 1: a real server and client over loopback with a .proto loaded by
// @grpc/proto-loader: Exit spans (unary, client/server/bidi streams), Entry spans with the
// ref for all four handler kinds, status names and errors, SkyWalking's own services untraced.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceStore } from '../../../src/collector/store.js';
import { addReceivers } from '../../../src/collector/grpc-receiver.js';
import { operationOf, peerOfTarget } from '../../../src/node/instrument/grpc-js.js';
import type { SegmentObject, SpanObject } from '../../../src/node/index.js';
import { freePort } from '../../helpers/ports.js';
import { watchEntrySegments } from './await-segment.js';
import { exits, requireLib, startAgent, tagsOf } from './harness.js';
import type { Harness } from './harness.js';


type Any = any;

const PROTO = fileURLToPath(new URL('../../fixtures/greeter.proto', import.meta.url));

describe('grpc-js', () => {
  let h: Harness;
  let grpc: Any;
  let server: Any;
  let port: number;
  let client: Any;
  let entrySegment: ReturnType<typeof watchEntrySegments>;
  let seenMetadata: Any;

  beforeAll(async () => {
    h = startAgent();
    entrySegment = watchEntrySegments(h.reporter);
    grpc = requireLib('@grpc/grpc-js');
    const loader = requireLib('@grpc/proto-loader');
    const Greeter = grpc.loadPackageDefinition(loader.loadSync(PROTO)).swtest.greet.Greeter;
    server = new grpc.Server();
    server.addService(Greeter.service, {
      sayHello(call: Any, callback: Any) {
        seenMetadata = call.metadata;
        const name = call.request.name;
        if (name === 'missing') return callback({ code: grpc.status.NOT_FOUND, details: 'no such name' });
        if (name !== 'nested') return callback(null, { message: `hello ${name}` });
        // After an await the handler is still in its Entry span: this call is its child.
        void new Promise((r) => setImmediate(r)).then(() => client.sayHello({ name: 'inner' }, (err: Any, res: Any) => callback(err, { message: `nested ${res?.message}` })));
      },
      collectNames(call: Any, callback: Any) {
        const names: string[] = [];
        call.on('data', (m: Any) => names.push(m.name));
        call.on('end', () => callback(null, { message: names.join(',') }));
      },
      listGreetings(call: Any) {
        if (call.request.name === 'broken') return call.emit('error', { code: grpc.status.INTERNAL, details: 'stream broke' });
        call.write({ message: 'one' });
        call.write({ message: 'two' });
        call.end();
      },
      chat(call: Any) {
        call.on('data', (m: Any) => call.write({ message: `re ${m.name}` }));
        call.on('end', () => call.end());
      },
    });
    port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err: Any, p: number) => (err ? reject(err) : resolve(p))));
    client = new Greeter(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    server?.forceShutdown();
    await h?.agent.shutdown();
  });

  const peer = () => `127.0.0.1:${port}`;
  const segmentOf = (span: SpanObject) => h.reporter.segments.find((s) => s.spans.includes(span))!;
  const entryOf = (seg: SegmentObject) => seg.spans.find((s) => s.spanType === 'Entry')!;

  const expectExit = (span: SpanObject | undefined, operation: string, status: string) => {
    expect(span).toMatchObject({ spanType: 'Exit', operationName: operation, spanLayer: 'RPCFramework', componentId: 23, peer: peer(), isError: status !== 'OK' });
    expect(tagsOf(span!)).toEqual({ 'rpc.status_code': status });
  };
  /** The server's Entry span for `exit`: same trace, a CrossProcess ref to it, the status tag. */
  const expectServer = async (exit: SpanObject, status: string): Promise<SegmentObject> => {
    const client = segmentOf(exit);
    const seg = await entrySegment(exit.operationName, (s) => entryOf(s).refs.some((r) => r.parentTraceSegmentId === client.traceSegmentId && r.parentSpanId === exit.spanId));
    const entry = entryOf(seg);
    expect(entry).toMatchObject({ spanLayer: 'RPCFramework', componentId: 23, isError: status !== 'OK' });
    expect(tagsOf(entry)['rpc.status_code']).toBe(status);
    expect(entry.refs).toEqual([
      expect.objectContaining({ refType: 'CrossProcess', traceId: client.traceId, parentTraceSegmentId: client.traceSegmentId, parentSpanId: exit.spanId, networkAddressUsedAtPeer: peer() }),
    ]);
    return seg;
  };

  it('names spans and peers as the Java agent does', () => {
    expect(operationOf('/swtest.greet.Greeter/SayHello')).toBe('swtest.greet.Greeter.sayHello');
    expect(['dns:localhost:50051', 'dns:///localhost:50051', 'dns://8.8.8.8/svc.local:9000', 'ipv4:10.0.0.1:7,10.0.0.2:7', 'localhost', 'ipv6:[::1]:50051'].map(peerOfTarget)).toEqual([
      'localhost:50051',
      'localhost:50051',
      'svc.local:9000',
      '10.0.0.1:7',
      'localhost:443',
      '[::1]:50051',
    ]);
  });

  it('unary: Exit span, sw8 in a copy of the metadata (replacing one set), Entry span with the ref', async () => {
    const md = new grpc.Metadata();
    md.set('sw8', 'stale');
    md.set('x-app', 'kept');
    const { value, spans } = await h.inEntry(() => new Promise((resolve, reject) => client.sayHello({ name: 'ann' }, md, (err: Any, res: Any) => (err ? reject(err) : resolve(res.message)))));
    expect(value).toBe('hello ann');
    const [exit] = exits(spans);
    expectExit(exit, 'swtest.greet.Greeter.sayHello', 'OK');
    expect(md.get('sw8')).toEqual(['stale']);
    expect(seenMetadata.get('sw8')).toHaveLength(1);
    expect(seenMetadata.get('sw8')[0]).toMatch(/^1-/);
    expect(seenMetadata.get('x-app')).toEqual(['kept']);
    await expectServer(exit!, 'OK');
  });

  it('unary failing on the server: both spans are errors with the status name; the caller gets the same error', async () => {
    const { error, spans } = await h.inEntry(() => new Promise((resolve, reject) => client.sayHello({ name: 'missing' }, (err: Any, res: Any) => (err ? reject(err) : resolve(res)))));
    expect(error).toMatchObject({ code: grpc.status.NOT_FOUND, details: 'no such name' });
    const [exit] = exits(spans);
    expectExit(exit, 'swtest.greet.Greeter.sayHello', 'NOT_FOUND');
    expect(exit!.logs[0]!.data.find((d) => d.key === 'message')!.value).toBe('5 NOT_FOUND: no such name');
    const entry = entryOf(await expectServer(exit!, 'NOT_FOUND'));
    expect(entry.logs[0]!.data.find((d) => d.key === 'message')!.value).toBe('5 NOT_FOUND: no such name');
  });

  it('a server that is not there: UNAVAILABLE', async () => {
    const Greeter = client.constructor;
    const down = new Greeter(`127.0.0.1:${await freePort()}`, grpc.credentials.createInsecure());
    try {
      const { error, spans } = await h.inEntry(() => new Promise((resolve, reject) => down.sayHello({ name: 'x' }, (err: Any, res: Any) => (err ? reject(err) : resolve(res)))));
      expect(error).toMatchObject({ code: grpc.status.UNAVAILABLE });
      expect(exits(spans)[0]).toMatchObject({ operationName: 'swtest.greet.Greeter.sayHello', isError: true, peer: down.getChannel().getTarget().replace(/^dns:/, '') });
      expect(tagsOf(exits(spans)[0]!)).toEqual({ 'rpc.status_code': 'UNAVAILABLE' });
    } finally {
      down.close();
    }
  });

  it('a handler is traced until its callback: its own calls are children of its Entry span', async () => {
    const { value, spans } = await h.inEntry(() => new Promise((resolve, reject) => client.sayHello({ name: 'nested' }, (err: Any, res: Any) => (err ? reject(err) : resolve(res.message)))));
    expect(value).toBe('nested hello inner');
    const seg = await expectServer(exits(spans)[0]!, 'OK');
    const inner = exits(seg.spans)[0]!;
    expectExit(inner, 'swtest.greet.Greeter.sayHello', 'OK');
    expect(inner.parentSpanId).toBe(entryOf(seg).spanId);
    await expectServer(inner, 'OK');
  });

  it('client stream', async () => {
    const { value, spans } = await h.inEntry(
      () =>
        new Promise((resolve, reject) => {
          const call = client.collectNames((err: Any, res: Any) => (err ? reject(err) : resolve(res.message)));
          call.write({ name: 'a' });
          call.write({ name: 'b' });
          call.end();
        }),
    );
    expect(value).toBe('a,b');
    const [exit] = exits(spans);
    expectExit(exit, 'swtest.greet.Greeter.collectNames', 'OK');
    await expectServer(exit!, 'OK');
  });

  it('server stream, and one that fails', async () => {
    const read = (name: string) =>
      new Promise((resolve, reject) => {
        const got: string[] = [];
        const call = client.listGreetings({ name });
        call.on('data', (m: Any) => got.push(m.message));
        call.on('error', reject);
        call.on('status', (s: Any) => s.code === 0 && resolve(got));
      });
    const ok = await h.inEntry(() => read('x'));
    expect(ok.value).toEqual(['one', 'two']);
    expectExit(exits(ok.spans)[0], 'swtest.greet.Greeter.listGreetings', 'OK');
    await expectServer(exits(ok.spans)[0]!, 'OK');

    const failed = await h.inEntry(() => read('broken'));
    expect(failed.error).toMatchObject({ code: grpc.status.INTERNAL, details: 'stream broke' });
    expectExit(exits(failed.spans)[0], 'swtest.greet.Greeter.listGreetings', 'INTERNAL');
    await expectServer(exits(failed.spans)[0]!, 'INTERNAL');
  });

  it('bidi stream', async () => {
    const { value, spans } = await h.inEntry(
      () =>
        new Promise((resolve, reject) => {
          const got: string[] = [];
          const call = client.chat();
          call.on('data', (m: Any) => got.push(m.message));
          call.on('error', reject);
          call.on('end', () => resolve(got));
          call.write({ name: 'a' });
          call.write({ name: 'b' });
          call.end();
        }),
    );
    expect(value).toEqual(['re a', 're b']);
    const [exit] = exits(spans);
    expectExit(exit, 'swtest.greet.Greeter.chat', 'OK');
    await expectServer(exit!, 'OK');
  });

  it("no active span: no Exit span, and the server starts a trace", async () => {
    const before = h.reporter.segments.length;
    await new Promise((resolve, reject) => client.sayHello({ name: 'solo' }, (err: Any, res: Any) => (err ? reject(err) : resolve(res))));
    const seg = await entrySegment('swtest.greet.Greeter.sayHello', (s) => s.spans.every((x) => x.refs.length === 0));
    expect(entryOf(seg).refs).toEqual([]);
    expect(h.reporter.segments.slice(before).flatMap((s) => exits(s.spans))).toEqual([]);
  });

  it("SkyWalking's own services (the collector's server, an agent's reporter calls) are never traced", async () => {
    const own = new grpc.Server();
    const store = new TraceStore();
    addReceivers(own, store);
    const ownPort = await new Promise<number>((resolve, reject) => own.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err: Any, p: number) => (err ? reject(err) : resolve(p))));
    const raw = new grpc.Client(`127.0.0.1:${ownPort}`, grpc.credentials.createInsecure());
    try {
      const before = h.reporter.segments.length;
      const { error, spans } = await h.inEntry(
        () =>
          new Promise((resolve, reject) =>
            raw.makeUnaryRequest('/skywalking.v3.ManagementService/keepAlive', (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), (err: Any, res: Any) => (err ? reject(err) : resolve(res))),
          ),
      );
      // The collector refuses an empty ping: a real round trip.
      expect(error).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
      expect(exits(spans)).toEqual([]);
      expect(h.reporter.segments.slice(before).filter((s) => s.spans.some((x) => x.operationName.startsWith('skywalking.v3')))).toEqual([]);
    } finally {
      raw.close();
      own.forceShutdown();
    }
  });
});
