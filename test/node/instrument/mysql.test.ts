// mysql2 3 (tracing channels) and mysql 2 (patch) against a real MariaDB: query and
// execute, callback and promise APIs, pools, errors, failed connections.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/ports.js';
import { hasMariadb, startMariadb } from '../../helpers/servers/mariadb.js';
import type { MariadbServer } from '../../helpers/servers/mariadb.js';
import { exits, requireLib, startAgent, tagsOf } from './harness.js';
import type { Harness } from './harness.js';

type Any = any;

describe.skipIf(!hasMariadb())('mysql clients', () => {
  let server: MariadbServer;
  let h: Harness;
  const cfg = () => ({ host: server.host, port: server.port, user: server.user, database: server.database });

  beforeAll(async () => {
    server = await startMariadb();
    h = startAgent();
  }, 60_000);
  afterAll(async () => {
    await h?.agent.shutdown();
    await server?.stop();
  });

  const expectSql = (span: Any, op: string, statement: string) => {
    expect(span).toMatchObject({ spanType: 'Exit', operationName: op, spanLayer: 'Database', componentId: 5, peer: `127.0.0.1:${server.port}`, parentSpanId: 0 });
    expect(tagsOf(span)).toEqual({ 'db.type': 'Mysql', 'db.instance': 'test', 'db.statement': statement });
  };

  describe('mysql2', () => {
    it('traces query and execute, promise and callback APIs, and pools', async () => {
      const mysql2 = requireLib('mysql2/promise');
      const cb = requireLib('mysql2');
      const conn = await mysql2.createConnection(cfg());
      const pool = cb.createPool({ ...cfg(), connectionLimit: 1 });
      try {
        const { value, spans } = await h.inEntry(async () => {
          const [a] = await conn.query('SELECT ? AS n', [1]);
          const [b] = await conn.execute('SELECT ? AS n', [2]);
          const c = await new Promise<Any>((resolve, reject) => pool.query('SELECT 3 AS n', (err: unknown, rows: Any) => (err ? reject(err) : resolve(rows))));
          return [a[0].n, b[0].n, c[0].n];
        });
        expect(value).toEqual([1, 2, 3]);
        const sql = exits(spans).filter((s) => s.operationName !== 'Mysql/connect');
        expect(sql).toHaveLength(3);
        expectSql(sql[0], 'Mysql/query', 'SELECT ? AS n');
        expectSql(sql[1], 'Mysql/execute', 'SELECT ? AS n');
        expectSql(sql[2], 'Mysql/query', 'SELECT 3 AS n');
        // The pool opened its connection inside the request: a connect span too.
        expect(exits(spans).filter((s) => s.operationName === 'Mysql/connect')).toHaveLength(1);
      } finally {
        await conn.end();
        await new Promise((r) => pool.end(r));
      }
    });

    it('marks a failed statement as an error; the caller gets the same error', async () => {
      const conn = await requireLib('mysql2/promise').createConnection(cfg());
      try {
        const { error, spans } = await h.inEntry(() => conn.query('SELECT * FROM no_such_table'));
        expect((error as Any).code).toBe('ER_NO_SUCH_TABLE');
        const [span] = exits(spans);
        expect(span).toMatchObject({ operationName: 'Mysql/query', isError: true });
        expect(span!.logs[0]!.data.find((d) => d.key === 'message')!.value).toBe((error as Error).message);
      } finally {
        await conn.end();
      }
    });

    it('records a failed connection as an error Exit span', async () => {
      const port = await freePort();
      const { error, spans } = await h.inEntry(() => requireLib('mysql2/promise').createConnection({ ...cfg(), port }));
      expect((error as Any).code).toBe('ECONNREFUSED');
      expect(exits(spans)[0]).toMatchObject({ operationName: 'Mysql/connect', peer: `127.0.0.1:${port}`, componentId: 5, isError: true });
    });
  });

  describe('mysql', () => {
    it('traces queries (callback and event forms, pools) with the statement as written', async () => {
      const mysql = requireLib('mysql');
      const conn = mysql.createConnection(cfg());
      const pool = mysql.createPool({ ...cfg(), connectionLimit: 1 });
      try {
        const { value, spans } = await h.inEntry(async () => {
          const a = await new Promise<Any>((resolve, reject) => conn.query('SELECT ? AS n', [1], (err: unknown, rows: Any) => (err ? reject(err) : resolve(rows))));
          const b = await new Promise<Any>((resolve, reject) => {
            const rows: Any[] = [];
            conn.query({ sql: 'SELECT 2 AS n' }).on('result', (r: Any) => rows.push(r)).on('error', reject).on('end', () => resolve(rows));
          });
          const c = await new Promise<Any>((resolve, reject) => pool.query('SELECT 3 AS n', (err: unknown, rows: Any) => (err ? reject(err) : resolve(rows))));
          return [a[0].n, b[0].n, c[0].n];
        });
        expect(value).toEqual([1, 2, 3]);
        const q = exits(spans);
        expect(q).toHaveLength(3);
        expectSql(q[0], 'Mysql/query', 'SELECT ? AS n');
        expectSql(q[1], 'Mysql/query', 'SELECT 2 AS n');
        expectSql(q[2], 'Mysql/query', 'SELECT 3 AS n');
      } finally {
        await new Promise((r) => conn.end(r));
        await new Promise((r) => pool.end(r));
      }
    });

    it('marks a failed statement as an error; the caller gets the same error', async () => {
      const conn = requireLib('mysql').createConnection(cfg());
      try {
        const { error, spans } = await h.inEntry(() => new Promise((resolve, reject) => conn.query('SELECT * FROM no_such_table', (err: unknown, rows: unknown) => (err ? reject(err) : resolve(rows)))));
        expect((error as Any).code).toBe('ER_NO_SUCH_TABLE');
        expect(exits(spans)[0]).toMatchObject({ operationName: 'Mysql/query', isError: true });
      } finally {
        await new Promise((r) => conn.end(r));
      }
    });
  });
});
