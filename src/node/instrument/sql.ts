// Conventions shared by the SQL databases: OAP's slow-statement view needs `db.type` and
// `db.statement`; it cuts statements at 2,000 characters, so we do not send more.
import type { Span } from '../../core/index.js';
import type { ResolvedOptions } from '../options.js';

/** Where OAP cuts `db.statement`. */
export const MAX_STATEMENT_LENGTH = 2000;
/** The default cut of `db.sql.parameters` (skywalking-backend-js's). */
export const DEFAULT_PARAMETERS_MAX_LENGTH = 512;

/** Whether and how bound parameters are recorded. */
export interface SqlSettings {
  readonly parameters: boolean;
  readonly maxLength: number;
}

/**
 * Bound parameters are recorded only when asked: the option `sqlTraceParameters`, else
 * SW_SQL_TRACE_PARAMETERS=true; cut at `sqlParametersMaxLength`, else
 * SW_SQL_PARAMETERS_MAX_LENGTH, else 512 characters.
 */
export function sqlSettings(options: ResolvedOptions, env: Record<string, string | undefined> = process.env): SqlSettings {
  const o = options as { sqlTraceParameters?: unknown; sqlParametersMaxLength?: unknown };
  const on = typeof o.sqlTraceParameters === 'boolean' ? o.sqlTraceParameters : /^(1|true|yes|on)$/i.test(env.SW_SQL_TRACE_PARAMETERS?.trim() ?? '');
  const n = typeof o.sqlParametersMaxLength === 'number' ? o.sqlParametersMaxLength : Number(env.SW_SQL_PARAMETERS_MAX_LENGTH);
  return { parameters: on, maxLength: Number.isInteger(n) && n > 0 ? n : DEFAULT_PARAMETERS_MAX_LENGTH };
}

/** Tags a database span: `db.type`, `db.instance` (when known), `db.statement` and, when asked, `db.sql.parameters`. */
export function tagSql(span: Span, type: string, instance: unknown, statement: unknown, values: unknown, settings: SqlSettings): void {
  span.tag('db.type', type);
  if (typeof instance === 'string' && instance) span.tag('db.instance', instance);
  if (typeof statement === 'string') span.tag('db.statement', statement.length > MAX_STATEMENT_LENGTH ? statement.slice(0, MAX_STATEMENT_LENGTH) : statement);
  if (settings.parameters && Array.isArray(values) && values.length > 0) span.tag('db.sql.parameters', formatParameters(values, settings.maxLength));
}

/** `[1, "a", null]`, cut at `max` characters with ` ...` appended. */
export function formatParameters(values: readonly unknown[], max: number): string {
  let out = '[';
  for (let i = 0; i < values.length && out.length <= max; i++) {
    if (i > 0) out += ', ';
    out += showValue(values[i]);
  }
  out += ']';
  return out.length > max ? out.slice(0, max) + ' ...' : out;
}

function showValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : JSON.stringify(v.toISOString());
  if (typeof Buffer !== 'undefined' && Buffer.isBuffer(v)) return `<Buffer ${v.length} bytes>`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
