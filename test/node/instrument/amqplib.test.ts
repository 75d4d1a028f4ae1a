// amqplib 2 (promise and callback APIs) against a real RabbitMQ: Producer Exit spans with
// the broker as peer, sw8/sw8-x in the message headers, one Consumer Entry span per
// message covering an async handler, the CrossProcess ref, errors, no parent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SegmentObject, SpanObject } from '../../../src/node/index.js';
import { hasRabbitMq, startRabbitMq } from '../../helpers/servers/rabbitmq.js';
import type { RabbitMqServer } from '../../helpers/servers/rabbitmq.js';
import { watchEntrySegments } from './await-segment.js';
import { exits, requireLib, startAgent, tagsOf } from './harness.js';
import type { Harness } from './harness.js';


type Any = any;

describe.skipIf(!hasRabbitMq())('amqplib', () => {
  let server: RabbitMqServer;
  let h: Harness;
  let entrySegment: (operation: string) => Promise<SegmentObject>;

  beforeAll(async () => {
    server = await startRabbitMq();
    h = startAgent();
    entrySegment = watchEntrySegments(h.reporter);
  }, 120_000);
  afterAll(async () => {
    await h?.agent.shutdown();
    await server?.stop();
  }, 60_000);

  const broker = () => `127.0.0.1:${server.port}`;
  const entryOf = (seg: SegmentObject): SpanObject => seg.spans.find((s) => s.spanType === 'Entry')!;

  const expectProducer = (span: SpanObject, exchange: string, key: string, queue?: string) => {
    expect(span).toMatchObject({ spanType: 'Exit', operationName: `RabbitMQ/${exchange}/${key}/Producer`, spanLayer: 'MQ', componentId: 52, peer: broker() });
    expect(tagsOf(span)).toEqual({ 'mq.broker': broker(), 'mq.topic': exchange, ...(queue ? { 'mq.queue': queue } : {}) });
  };

  /** Checks the consumer's Entry span against the producer's segment and exit span. */
  const expectConsumer = (seg: SegmentObject, producerSeg: SegmentObject, producer: SpanObject, exchange: string, key: string, queue: string) => {
    const entry = entryOf(seg);
    expect(entry).toMatchObject({ operationName: `RabbitMQ/${exchange}/${key}/Consumer`, spanLayer: 'MQ', componentId: 53, peer: broker(), parentSpanId: -1 });
    const tags = tagsOf(entry);
    expect(tags).toMatchObject({ 'mq.broker': broker(), 'mq.topic': exchange, 'mq.queue': queue });
    expect(Number(tags['transmission.latency'])).toBeGreaterThanOrEqual(0);
    expect(seg.traceId).toBe(producerSeg.traceId);
    expect(entry.refs).toEqual([
      expect.objectContaining({
        refType: 'CrossProcess',
        traceId: producerSeg.traceId,
        parentTraceSegmentId: producerSeg.traceSegmentId,
        parentSpanId: producer.spanId,
        parentService: 'lib-test',
        networkAddressUsedAtPeer: broker(),
      }),
    ]);
  };

  describe('promise API', () => {
    let conn: Any;
    let ch: Any;
    beforeAll(async () => {
      const amqp = requireLib('amqplib');
      conn = await amqp.connect(server.url);
      ch = await conn.createChannel();
    });
    afterAll(() => conn?.close());

    it('sendToQueue: Producer span, headers replaced; the async handler runs in a Consumer span with the ref', async () => {
      const q = 'p-orders';
      await ch.assertQueue(q, { durable: false });
      await ch.assertQueue('p-audit', { durable: false });
      const received = new Promise<Any>((resolve) => {
        void ch.consume(q, async (msg: Any) => {
          // After an await: still the consumer's trace, so this publish is its child.
          await new Promise((r) => setImmediate(r));
          ch.sendToQueue('p-audit', Buffer.from('seen'));
          ch.ack(msg);
          resolve(msg);
        });
      });
      const headers = { sw8: 'stale', 'SW8-X': 'stale', keep: 'me' };
      const { spans } = await h.inEntry(() => ch.sendToQueue(q, Buffer.from('hello'), { headers }));
      const [producer] = exits(spans);
      expectProducer(producer!, '', q, q);
      const producerSeg = h.reporter.segments.find((s) => s.spans.includes(producer!))!;

      const msg = await received;
      expect(msg.content.toString()).toBe('hello');
      expect(headers).toEqual({ sw8: 'stale', 'SW8-X': 'stale', keep: 'me' });
      const got = msg.properties.headers;
      expect(got.keep).toBe('me');
      expect(got['SW8-X']).toBeUndefined();
      expect(got.sw8).toMatch(/^1-/);
      expect(got['sw8-x']).toMatch(/^0-\d{13}$/);
      // sw8 field 8 is the producer's peer.
      expect(Buffer.from(got.sw8.split('-')[7], 'base64').toString()).toBe(broker());

      const seg = await entrySegment(`RabbitMQ//${q}/Consumer`);
      expectConsumer(seg, producerSeg, producer!, '', q, q);
      const child = seg.spans.find((s) => s.spanType === 'Exit')!;
      expectProducer(child, '', 'p-audit', 'p-audit');
      expect(child.parentSpanId).toBe(entryOf(seg).spanId);
      // The entry covers the handler: it ends after its child.
      expect(entryOf(seg).endTime).toBeGreaterThanOrEqual(child.endTime);
    });

    it('publish to an exchange: mq.topic is the exchange, the routing key in the name', async () => {
      const ex = 'p-events';
      await ch.assertExchange(ex, 'direct', { durable: false });
      const { queue } = await ch.assertQueue('', { exclusive: true });
      await ch.bindQueue(queue, ex, 'created');
      const received = new Promise<void>((resolve) => void ch.consume(queue, () => resolve(), { noAck: true }));
      const { spans } = await h.inEntry(() => ch.publish(ex, 'created', Buffer.from('{}')));
      const [producer] = exits(spans);
      expectProducer(producer!, ex, 'created');
      await received;
      const seg = await entrySegment(`RabbitMQ/${ex}/created/Consumer`);
      expectConsumer(seg, h.reporter.segments.find((s) => s.spans.includes(producer!))!, producer!, ex, 'created', queue);
    });

    it('a rejected handler marks the Consumer span; the rejection still reaches the app unhandled', async () => {
      const q = 'p-failing';
      await ch.assertQueue(q, { durable: false });
      const boom = new Error('handler failed');
      // The app's own unhandledRejection handlers (the test runner's) are set aside meanwhile.
      const saved = process.listeners('unhandledRejection');
      process.removeAllListeners('unhandledRejection');
      try {
        const unhandled = new Promise<unknown>((resolve) => process.once('unhandledRejection', (reason) => resolve(reason)));
        await ch.consume(q, async () => {
          throw boom;
        }, { noAck: true });
        await h.inEntry(() => ch.sendToQueue(q, Buffer.from('x')));
        expect(await unhandled).toBe(boom);
      } finally {
        process.removeAllListeners('unhandledRejection');
        for (const l of saved) process.on('unhandledRejection', l);
      }
      const entry = entryOf(await entrySegment(`RabbitMQ//${q}/Consumer`));
      expect(entry.isError).toBe(true);
      expect(entry.logs[0]!.data.find((d) => d.key === 'message')!.value).toBe('handler failed');
    });

    it('a publish that throws is an error span; the caller gets the same error', async () => {
      const { error, spans } = await h.inEntry(() => ch.sendToQueue('p-orders', 'not a buffer'));
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toBe('content is not a buffer');
      expect(exits(spans)[0]).toMatchObject({ operationName: 'RabbitMQ//p-orders/Producer', isError: true });
    });

    it('with no active span: no Producer span and no sw8; the consumer starts a trace', async () => {
      const q = 'p-orphan';
      await ch.assertQueue(q, { durable: false });
      const received = new Promise<Any>((resolve) => void ch.consume(q, (m: Any) => resolve(m), { noAck: true }));
      const before = h.reporter.segments.length;
      ch.sendToQueue(q, Buffer.from('x'));
      const msg = await received;
      expect(msg.properties.headers.sw8).toBeUndefined();
      const seg = await entrySegment(`RabbitMQ//${q}/Consumer`);
      expect(entryOf(seg).refs).toEqual([]);
      expect(h.reporter.segments.slice(before).some((s) => s.spans.some((x) => x.operationName.endsWith('/Producer')))).toBe(false);
    });
  });

  describe('callback API', () => {
    let conn: Any;
    let ch: Any;
    beforeAll(async () => {
      const amqp = requireLib('amqplib/callback_api');
      conn = await new Promise((resolve, reject) => amqp.connect(server.url, (err: unknown, c: Any) => (err ? reject(err) : resolve(c))));
      ch = await new Promise((resolve, reject) => conn.createChannel((err: unknown, c: Any) => (err ? reject(err) : resolve(c))));
    });
    afterAll(() => new Promise((r) => conn?.close(r)));

    it('sendToQueue and consume: the same spans and ref', async () => {
      const q = 'cb-orders';
      await new Promise((resolve, reject) => ch.assertQueue(q, { durable: false }, (err: unknown, ok: unknown) => (err ? reject(err) : resolve(ok))));
      const received = new Promise<Any>((resolve) => ch.consume(q, (m: Any) => resolve(m), { noAck: true }));
      const { spans } = await h.inEntry(() => ch.sendToQueue(q, Buffer.from('hi')));
      const [producer] = exits(spans);
      expectProducer(producer!, '', q, q);
      expect((await received).content.toString()).toBe('hi');
      const seg = await entrySegment(`RabbitMQ//${q}/Consumer`);
      expectConsumer(seg, h.reporter.segments.find((s) => s.spans.includes(producer!))!, producer!, '', q, q);
    });
  });
});
