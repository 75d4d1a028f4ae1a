// mysql 2 publishes no channel: Connection.prototype.query is patched (pool connections
// inherit it). Connection is not exported, so it is required from the loaded package's
// own folder: the same module instance, hence the same prototype.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Span } from '../../core/index.js';
import type { AnyFunction } from '../../core/patch.js';
import { peerOf } from './exit.js';
import { MYSQL_COMPONENT } from './mysql2.js';
import { tagSql } from './sql.js';
import type { InstrumentContext, PatchInstrumentation } from './types.js';

interface MysqlConnection {
  config?: { host?: unknown; port?: unknown; database?: unknown; socketPath?: unknown };
}

function wrapQuery(original: AnyFunction, ctx: InstrumentContext): AnyFunction {
  return function query(this: MysqlConnection, sql: unknown, values: unknown) {
    let span: Span | undefined;
    try {
      const cfg = this.config ?? {};
      const options = (typeof sql === 'object' && sql !== null ? sql : {}) as { sql?: unknown; values?: unknown };
      // The statement as written: mysql formats the values into `query.sql` itself.
      const text = typeof sql === 'string' ? sql : options.sql;
      const vals = Array.isArray(values) ? values : options.values;
      const peer = typeof cfg.socketPath === 'string' && cfg.socketPath ? cfg.socketPath : peerOf(cfg.host, cfg.port ?? 3306);
      span = ctx.exit('Mysql/query', peer, 'Database', MYSQL_COMPONENT);
      if (span) tagSql(span, 'Mysql', cfg.database, text, vals, ctx.sql);
    } catch {
      // tracing must never break the query
    }
    let q: { end?: unknown } | undefined;
    try {
      q = original.apply(this, arguments as unknown as unknown[]) as { end?: unknown } | undefined;
    } catch (err) {
      span?.error(err).end();
      throw err;
    }
    if (!span) return q;
    const s = span;
    const end = q?.end;
    if (typeof end !== 'function') {
      s.end();
      return q;
    }
    // Every query ends through Sequence#end(err), callback or not; the instance gets the
    // wrapper (not the patch set: one undo entry per query would grow without bound).
    let done = false;
    q!.end = function (this: unknown, err: unknown) {
      if (!done) {
        done = true;
        if (err) s.error(err);
        s.end();
      }
      return (end as AnyFunction).apply(this, arguments as unknown as unknown[]);
    };
    return q;
  };
}

/** mysql: `Mysql/query`; Database, component 5, `db.*` tags. */
export const mysql: PatchInstrumentation = {
  name: 'mysql',
  module: 'mysql',
  versions: { from: '2.0.0', below: '3.0.0' },
  kind: 'patch',
  patch(_exports, ctx, baseDir) {
    if (!baseDir) return;
    const Connection = createRequire(join(baseDir, 'package.json'))('./lib/Connection.js') as { prototype?: object } | undefined;
    ctx.patches.method(Connection?.prototype, 'query', (orig) => wrapQuery(orig, ctx));
  },
};
