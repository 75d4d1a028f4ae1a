// pg 8 against a real PostgreSQL 15: Client and Pool, callbacks, promises, Query objects,
// pg-cursor; exact conventions, parenting, errors, failed connections, disabling.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPostgres, startPostgres } from '../../helpers/servers/postgres.js';
import type { PostgresServer } from '../../helpers/servers/postgres.js';
import { exits, requireLib, startAgent, tagsOf } from './harness.js';
import type { Harness } from './harness.js';
import { freePort } from '../../helpers/ports.js';

type Any = any;

describe.skipIf(!hasPostgres())('pg', () => {
  let server: PostgresServer;
  let h: Harness;
  let pg: Any;
  let Cursor: Any;
  const cfg = () => ({ host: server.host, port: server.port, user: server.user, database: server.database });

  beforeAll(async () => {
    server = await startPostgres();
    h = startAgent();
    pg = requireLib('pg');
    Cursor = requireLib('pg-cursor');
  }, 60_000);
  afterAll(async () => {
    await h?.agent.shutdown();
    await server?.stop();
  });

  const expectQuery = (span: Any, statement: string) => {
    expect(span).toMatchObject({ spanType: 'Exit', operationName: 'PostgreSQL/query', spanLayer: 'Database', componentId: 22, peer: `127.0.0.1:${server.port}`, parentSpanId: 0 });
    expect(tagsOf(span)).toEqual({ 'db.type': 'PostgreSQL', 'db.instance': 'postgres', 'db.statement': statement });
  };

  it('traces Client queries (promise and callback) under the entry span, with the exact conventions', async () => {
    const client = new pg.Client(cfg());
    await client.connect();
    try {
      const { value, spans } = await h.inEntry(async () => {
        const a = await client.query('SELECT $1::int AS n', [7]);
        const b = await new Promise<Any>((resolve, reject) => client.query('SELECT 2 AS n', (err: unknown, res: Any) => (err ? reject(err) : resolve(res))));
        const c = await new Promise<Any>((resolve, reject) => client.query({ text: 'SELECT $1::text AS s', values: ['x'] }, (err: unknown, res: Any) => (err ? reject(err) : resolve(res))));
        return [a.rows[0].n, b.rows[0].n, c.rows[0].s];
      });
      expect(value).toEqual([7, 2, 'x']);
      const q = exits(spans);
      expect(q).toHaveLength(3);
      expectQuery(q[0], 'SELECT $1::int AS n');
      expectQuery(q[1], 'SELECT 2 AS n');
      expectQuery(q[2], 'SELECT $1::text AS s');
      expect(q.every((s) => !s.isError)).toBe(true);
    } finally {
      await client.end();
    }
  });

  it('does not change a reused config object and keeps the promise form', async () => {
    const client = new pg.Client(cfg());
    await client.connect();
    const config = { text: 'SELECT 1 AS one' };
    try {
      const { value } = await h.inEntry(async () => [(await client.query(config)).rows[0].one, (await client.query(config)).rows[0].one]);
      expect(value).toEqual([1, 1]);
      expect(Object.keys(config)).toEqual(['text']);
    } finally {
      await client.end();
    }
  });

  it('traces Pool queries and Query objects, and marks a failed statement as an error with the same error for the caller', async () => {
    const pool = new pg.Pool({ ...cfg(), max: 1 });
    try {
      const { value, error, spans } = await h.inEntry(async () => {
        const r = await pool.query('SELECT 3 AS n');
        const client = await pool.connect();
        try {
          const viaQuery = await new Promise<Any>((resolve, reject) => {
            const q = new pg.Query('SELECT 4 AS n');
            q.on('row', (row: Any) => resolve(row.n));
            q.on('error', reject);
            client.query(q);
          });
          await client.query('SELECT * FROM no_such_table');
          return [r.rows[0].n, viaQuery];
        } finally {
          client.release();
        }
      });
      expect(value).toBeUndefined();
      expect((error as Error).message).toBe('relation "no_such_table" does not exist');
      expect((error as Any).code).toBe('42P01');
      const q = exits(spans).filter((s) => s.operationName === 'PostgreSQL/query');
      expect(q.map((s) => tagsOf(s)['db.statement'])).toEqual(['SELECT 3 AS n', 'SELECT 4 AS n', 'SELECT * FROM no_such_table']);
      expect(q.map((s) => s.isError)).toEqual([false, false, true]);
      const log = Object.fromEntries(q[2]!.logs[0]!.data.map((d: Any) => [d.key, d.value]));
      expect(log).toMatchObject({ event: 'error', message: 'relation "no_such_table" does not exist' });
      expect(log.stack).toContain('no_such_table');
    } finally {
      await pool.end();
    }
  });

  it('traces a pg-cursor from submit until it is closed', async () => {
    const client = new pg.Client(cfg());
    await client.connect();
    try {
      const { value, spans } = await h.inEntry(async () => {
        const cursor = client.query(new Cursor('SELECT generate_series(1, 5) AS n'));
        const rows = await cursor.read(10);
        await cursor.close();
        return rows.length;
      });
      expect(value).toBe(5);
      const q = exits(spans);
      expect(q).toHaveLength(1);
      expectQuery(q[0], 'SELECT generate_series(1, 5) AS n');
    } finally {
      await client.end();
    }
  });

  it('cuts db.statement at 2,000 characters and records no parameters unless asked', async () => {
    const client = new pg.Client(cfg());
    await client.connect();
    const sql = `SELECT '${'x'.repeat(2500)}' AS s, $1::int AS n`;
    try {
      const { spans } = await h.inEntry(() => client.query(sql, [1]));
      const tags = tagsOf(exits(spans)[0]!);
      expect(tags['db.statement']).toBe(sql.slice(0, 2000));
      expect(tags['db.sql.parameters']).toBeUndefined();
    } finally {
      await client.end();
    }
  });

  it('records a failed connection as an error Exit span', async () => {
    const port = await freePort();
    const client = new pg.Client({ ...cfg(), port });
    const { error, spans } = await h.inEntry(() => client.connect());
    expect((error as Any).code).toBe('ECONNREFUSED');
    const [span] = exits(spans);
    expect(span).toMatchObject({ operationName: 'PostgreSQL/connect', peer: `127.0.0.1:${port}`, componentId: 22, spanLayer: 'Database', isError: true });
  });

  it('traces nothing outside a traced request (traceWithoutParent off)', async () => {
    const client = new pg.Client(cfg());
    const before = h.reporter.segments.length;
    await client.connect();
    await client.query('SELECT 1');
    await client.end();
    expect(h.reporter.segments.length).toBe(before);
  });
});
