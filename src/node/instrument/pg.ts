// pg (node-postgres) 8 publishes no tracing channel yet, so Client.prototype.query and
// Client.prototype.connect are patched when pg loads. Pool queries go through a pooled
// Client's query (always in callback form), so they are traced too; so are Query objects
// and cursors (pg-cursor, pg-query-stream): anything with submit() given to query().
import type { Span } from '../../core/index.js';
import type { AnyFunction } from '../../core/patch.js';
import { peerOf } from './exit.js';
import { tagSql } from './sql.js';
import type { InstrumentContext, PatchInstrumentation } from './types.js';

/** OAP's component id for PostgreSQL. */
export const PG_COMPONENT = 22;

interface PgClient {
  host?: unknown;
  port?: unknown;
  database?: unknown;
  _Promise?: PromiseConstructor;
}

type Callback = (this: unknown, err: unknown, ...rest: unknown[]) => unknown;

function open(ctx: InstrumentContext, client: PgClient, operation: string, statement?: unknown, values?: unknown): Span | undefined {
  const span = ctx.exit(operation, peerOf(client.host, client.port), 'Database', PG_COMPONENT);
  if (span) tagSql(span, 'PostgreSQL', client.database, statement, values, ctx.sql);
  return span;
}

/** The caller's callback, called exactly as pg would, after the span ends. */
function ending(span: Span, callback: Callback): Callback {
  return function (this: unknown, err: unknown) {
    if (err) span.error(err);
    span.end();
    return callback.apply(this, arguments as unknown as [unknown]);
  };
}

// A submittable (Query, Cursor, QueryStream) ends when the client hands it an error or
// the final ReadyForQuery. Its own instance gets the two wrappers (not the patch set: one
// undo entry per query would grow without bound); they only end a span.
function watchSubmittable(q: Record<string, unknown>, span: Span): void {
  let done = false;
  const finish = (err?: unknown) => {
    if (done) return;
    done = true;
    if (err) span.error(err);
    span.end();
  };
  const onError = q.handleError;
  const onReady = q.handleReadyForQuery;
  if (typeof onError !== 'function' || typeof onReady !== 'function') return void finish();
  q.handleError = function (this: unknown, err: unknown) {
    finish(err);
    return (onError as AnyFunction).apply(this, arguments as unknown as unknown[]);
  };
  q.handleReadyForQuery = function (this: unknown) {
    // Query's own handleReadyForQuery may report a deferred error through handleError.
    try {
      return (onReady as AnyFunction).apply(this, arguments as unknown as unknown[]);
    } finally {
      finish();
    }
  };
}

function wrapQuery(original: AnyFunction, ctx: InstrumentContext): AnyFunction {
  return function query(this: PgClient, config: unknown, values: unknown, callback: unknown) {
    // pg throws its own TypeError for a missing query.
    if (config === null || config === undefined) return original.apply(this, arguments as unknown as unknown[]);
    const c = config as { text?: unknown; values?: unknown; submit?: unknown; callback?: unknown };
    let span: Span | undefined;
    try {
      span = open(ctx, this, 'PostgreSQL/query', typeof config === 'string' ? config : c.text, Array.isArray(values) ? values : c.values);
    } catch {
      // tracing must never break the query
    }
    if (!span) return original.apply(this, arguments as unknown as unknown[]);
    try {
      if (typeof c.submit === 'function') {
        watchSubmittable(config as Record<string, unknown>, span);
        return original.apply(this, arguments as unknown as unknown[]);
      }
      if (typeof values === 'function') return original.call(this, config, ending(span, values as Callback));
      if (typeof callback === 'function') return original.call(this, config, values, ending(span, callback as Callback));
      // pg writes the callback into a config object: give it a copy, never the caller's
      // object (which may be reused for the next query).
      const copy = typeof config === 'object' ? Object.assign(Object.create(Object.getPrototypeOf(config) as object) as object, config) : config;
      if (typeof c.callback === 'function') {
        (copy as { callback: Callback }).callback = ending(span, c.callback as Callback);
        return original.call(this, copy, values);
      }
      // The promise form, built as pg builds it (same Promise class, same stack rewrite),
      // around the callback form so the span ends with the query.
      const s = span;
      const P = this._Promise ?? Promise;
      let cb: Callback = () => {};
      const result = new P((resolve, reject) => {
        cb = (err: unknown, res?: unknown) => {
          if (err) s.error(err);
          s.end();
          if (err) reject(err);
          else resolve(res);
        };
      }).catch((err: unknown) => {
        if (err instanceof Error) Error.captureStackTrace(err);
        throw err;
      });
      original.call(this, copy, values, cb);
      return result;
    } catch (err) {
      span.error(err);
      span.end();
      throw err;
    }
  };
}

function wrapConnect(original: AnyFunction, ctx: InstrumentContext): AnyFunction {
  return function connect(this: PgClient, callback: unknown) {
    let span: Span | undefined;
    try {
      span = open(ctx, this, 'PostgreSQL/connect');
    } catch {
      // tracing must never break the connection
    }
    if (!span) return original.apply(this, arguments as unknown as unknown[]);
    try {
      if (typeof callback === 'function') return original.call(this, ending(span, callback as Callback));
      const s = span;
      const P = this._Promise ?? Promise;
      return new P((resolve, reject) => {
        original.call(this, (err: unknown) => {
          if (err) s.error(err);
          s.end();
          if (err) reject(err);
          else resolve(this);
        });
      });
    } catch (err) {
      span.error(err);
      span.end();
      throw err;
    }
  };
}

/** pg: `PostgreSQL/query` and `PostgreSQL/connect`; Database, component 22, `db.*` tags. */
export const pg: PatchInstrumentation = {
  name: 'pg',
  module: 'pg',
  versions: { from: '8.0.0', below: '9.0.0' },
  kind: 'patch',
  patch(exports, ctx) {
    const proto = (exports as { Client?: { prototype?: object } } | null)?.Client?.prototype;
    ctx.patches.method(proto, 'query', (orig) => wrapQuery(orig, ctx));
    ctx.patches.method(proto, 'connect', (orig) => wrapConnect(orig, ctx));
  },
};
