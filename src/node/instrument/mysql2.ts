// mysql2 ≥ 3.20 publishes `mysql2:query` and `mysql2:execute` (callback, promise and pool
// APIs all go through them), and `mysql2:connect` for the handshake: one Exit span each.
import { traceChannel } from './channels.js';
import { peerOf } from './exit.js';
import { tagSql } from './sql.js';
import type { SqlSettings } from './sql.js';
import type { ChannelInstrumentation, InstrumentContext } from './types.js';

/** OAP's component id for MySQL. */
export const MYSQL_COMPONENT = 5;

interface Mysql2Message {
  query?: unknown;
  values?: unknown;
  database?: unknown;
  serverAddress?: unknown;
  serverPort?: unknown;
}

// mysql2 formats `query()` values into the SQL on the client and publishes that text, so
// with values the statement carries them. Bound parameters are only recorded when asked
// (db.sql.parameters), so their literals are masked back to `?`: quoted strings, X'..' /
// 0x.. hex and numbers not part of a name. Literals written in the SQL itself are masked
// too when values were given: more redaction, never less. execute() sends values apart.
const LITERAL = /'(?:[^'\\]|\\.|'')*'|\b[xX]'[0-9a-fA-F]*'|\b0x[0-9a-fA-F]+\b|(?<![\w$.`])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w$])/g;

/** The statement with its literals masked, when values were formatted into it. */
export function maskedStatement(query: unknown, values: unknown): unknown {
  if (typeof query !== 'string') return query;
  const given = Array.isArray(values) ? values.length > 0 : values !== null && typeof values === 'object' && Object.keys(values).length > 0;
  return given ? query.replace(LITERAL, '?') : query;
}

function subscribe(ctx: InstrumentContext, settings: SqlSettings, channel: string, operation: string): () => void {
  return traceChannel<Mysql2Message>(channel, (m) => {
    const span = ctx.exit(operation, peerOf(m.serverAddress, m.serverPort), 'Database', MYSQL_COMPONENT);
    if (span) tagSql(span, 'Mysql', m.database, channel === 'mysql2:query' ? maskedStatement(m.query, m.values) : m.query, m.values, settings);
    return span;
  });
}

/** mysql2: `Mysql/query`, `Mysql/execute`, `Mysql/connect`; Database, component 5, `db.*` tags. */
export const mysql2: ChannelInstrumentation = {
  name: 'mysql2',
  module: 'mysql2',
  versions: { from: '3.20.0', below: '4.0.0' },
  kind: 'channels',
  channels: ['mysql2:query', 'mysql2:execute', 'mysql2:connect'],
  subscribe(ctx) {
    const settings = ctx.sql;
    const undo = [
      subscribe(ctx, settings, 'mysql2:query', 'Mysql/query'),
      subscribe(ctx, settings, 'mysql2:execute', 'Mysql/execute'),
      subscribe(ctx, settings, 'mysql2:connect', 'Mysql/connect'),
    ];
    return () => undo.forEach((u) => u());
  },
};
