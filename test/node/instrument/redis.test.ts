// ioredis 5 and 6, node-redis 5 and 6 against a real Redis 7, through their tracing
// channels: exact conventions, pipelines, MULTI, errors, parenting, no parent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedis, startRedis } from '../../helpers/servers/redis.js';
import type { TestServer } from '../../helpers/servers/common.js';
import { exits, requireLib, startAgent, tagsOf } from './harness.js';
import type { Harness } from './harness.js';

type Any = any;

describe.skipIf(!hasRedis())('redis clients', () => {
  let server: TestServer;
  let h: Harness;

  beforeAll(async () => {
    server = await startRedis();
    h = startAgent();
  }, 60_000);
  afterAll(async () => {
    await h?.agent.shutdown();
    await server?.stop();
  });

  const expectCommand = (span: Any, cmd: string, tags: Record<string, string>) => {
    expect(span).toMatchObject({ spanType: 'Exit', operationName: `Redis/${cmd}`, spanLayer: 'Cache', componentId: 7, peer: `127.0.0.1:${server.port}`, parentSpanId: 0 });
    expect(tagsOf(span)).toEqual({ 'cache.type': 'Redis', 'cache.cmd': cmd, ...tags });
  };

  // The two client families differ in how they connect and how they publish a pipeline
  // and a MULTI; each runs the same pair of batches and must give the same values.
  const families = {
    ioredis: {
      connect: (lib: Any) => new (lib.default ?? lib)({ host: '127.0.0.1', port: server.port, lazyConnect: true }),
      batchTitle: 'traces each command of a pipeline and of a MULTI',
      batches: async (client: Any, mod: string) => {
        const p = await client.pipeline().set(`${mod}:a`, '1').incr(`${mod}:a`).exec();
        const m = await client.multi().get(`${mod}:a`).del(`${mod}:a`).exec();
        return [p.map((r: Any) => r[1]), m.map((r: Any) => r[1])];
      },
      batchOps: ['SET', 'INCR', 'MULTI', 'GET', 'DEL', 'EXEC'],
    },
    // node-redis publishes a transaction as a whole, a pipeline command by command.
    redis: {
      connect: (lib: Any) => lib.createClient({ socket: { host: '127.0.0.1', port: server.port } }),
      batchTitle: 'traces a MULTI as one span and each command of a pipeline',
      batches: async (client: Any, mod: string) => [
        await client.multi().set(`${mod}:a`, '1').incr(`${mod}:a`).exec(),
        await client.multi().get(`${mod}:a`).del(`${mod}:a`).execAsPipeline(),
      ],
      batchOps: ['MULTI', 'GET', 'DEL'],
    },
  };

  for (const [label, mod, family] of [
    ['ioredis 6', 'ioredis', families.ioredis],
    ['ioredis 5', 'ioredis5', families.ioredis],
    ['redis 6', 'redis', families.redis],
    ['redis 5', 'redis5', families.redis],
  ] as const) {
    describe(label, () => {
      let client: Any;
      beforeAll(async () => {
        client = family.connect(requireLib(mod));
        await client.connect();
      });
      afterAll(() => client?.quit());

      it('traces commands with cache.op and the first key', async () => {
        const { value, spans } = await h.inEntry(async () => {
          await client.set(`${mod}:k`, 'v');
          return client.get(`${mod}:k`);
        });
        expect(value).toBe('v');
        const [set, get] = exits(spans);
        expectCommand(set, 'SET', { 'cache.op': 'write', 'cache.key': `${mod}:k` });
        expectCommand(get, 'GET', { 'cache.op': 'read', 'cache.key': `${mod}:k` });
      });

      it(family.batchTitle, async () => {
        const { value, spans } = await h.inEntry(() => family.batches(client, mod));
        expect(value).toEqual([['OK', 2], ['2', 1]]);
        expect(exits(spans).map((s) => s.operationName)).toEqual(family.batchOps.map((op) => `Redis/${op}`));
        expectCommand(exits(spans).find((s) => s.operationName === 'Redis/MULTI'), 'MULTI', {});
      });

      it('marks a failed command as an error; the caller gets the same error', async () => {
        const { error, spans } = await h.inEntry(async () => {
          await client.set(`${mod}:s`, 'text');
          return client.incr(`${mod}:s`);
        });
        expect((error as Error).message).toMatch(/^ERR value is not an integer/);
        const incr = exits(spans)[1]!;
        expect(incr).toMatchObject({ operationName: 'Redis/INCR', isError: true });
        expect(incr.logs[0]!.data.find((d) => d.key === 'message')!.value).toMatch(/^ERR value is not an integer/);
      });
    });
  }

  it('traces nothing outside a traced request (traceWithoutParent off)', async () => {
    const Redis = requireLib('ioredis');
    const client = new (Redis.default ?? Redis)({ host: '127.0.0.1', port: server.port });
    const before = h.reporter.segments.length;
    await client.get('x');
    await client.quit();
    expect(h.reporter.segments.length).toBe(before);
  });
});
