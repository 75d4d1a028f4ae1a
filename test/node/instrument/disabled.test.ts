// `instrument: { pg: false, ioredis: false }`: a patched and a channel library, turned off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { originalOf } from '../../../src/core/patch.js';
import type { TestServer } from '../../helpers/servers/common.js';
import { hasPostgres, startPostgres } from '../../helpers/servers/postgres.js';
import type { PostgresServer } from '../../helpers/servers/postgres.js';
import { hasRedis, startRedis } from '../../helpers/servers/redis.js';
import { exits, requireLib, startAgent } from './harness.js';
import type { Harness } from './harness.js';

type Any = any;

describe.skipIf(!hasPostgres() || !hasRedis())('libraries turned off', () => {
  let pgServer: PostgresServer;
  let redisServer: TestServer;
  let h: Harness;

  beforeAll(async () => {
    [pgServer, redisServer] = await Promise.all([startPostgres(), startRedis()]);
    h = startAgent({ instrument: { pg: false, ioredis: false } });
  }, 60_000);
  afterAll(async () => {
    await h?.agent.shutdown();
    await Promise.all([pgServer?.stop(), redisServer?.stop()]);
  });

  it('records no spans and leaves pg unpatched', async () => {
    const pg = requireLib('pg');
    const Redis = requireLib('ioredis');
    expect(originalOf(pg.Client.prototype.query)).toBeUndefined();
    const client = new pg.Client({ host: pgServer.host, port: pgServer.port, user: pgServer.user, database: pgServer.database });
    const redis: Any = new (Redis.default ?? Redis)({ host: '127.0.0.1', port: redisServer.port });
    try {
      const { value, spans } = await h.inEntry(async () => {
        await client.connect();
        const r = await client.query('SELECT 1 AS n');
        return [r.rows[0].n, await redis.ping()];
      });
      expect(value).toEqual([1, 'PONG']);
      expect(exits(spans)).toEqual([]);
    } finally {
      await client.end();
      await redis.quit();
    }
  });
});
