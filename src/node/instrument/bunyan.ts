// bunyan: every record, of every logger and child, is built and then passed to
// `Logger.prototype._emit(rec)`; the package exports the Logger class itself.
import type { AnyFunction } from '../../core/patch.js';
import { agentLog, fieldsOf, injectTraceIds, levelFromNumber, traceIdFields } from '../log/bridge.js';
import type { PatchInstrumentation } from './types.js';

const SKIP = new Set(['name', 'hostname', 'pid', 'level', 'msg', 'time', 'v', 'src', 'trace_id', 'segment_id', 'span_id']);

function wrapEmit(original: AnyFunction): AnyFunction {
  return function _emit(this: unknown, rec: unknown) {
    try {
      if (rec && typeof rec === 'object') {
        const r = rec as Record<string, unknown>;
        if (injectTraceIds()) {
          const ids = traceIdFields();
          if (ids) Object.assign(r, ids);
        }
        const log = agentLog();
        const level = levelFromNumber(r.level);
        if (log?.enabled(level)) {
          log.write({ level, message: typeof r.msg === 'string' ? r.msg : '', fields: fieldsOf(r, SKIP), logger: typeof r.name === 'string' ? r.name : 'bunyan' });
        }
      }
    } catch {
      // reporting a log line must never break it
    }
    return original.apply(this, arguments as unknown as unknown[]);
  };
}

/** bunyan 1–2: records at or above `logReporterLevel` to OAP, tags `level` and `logger` (the logger's `name`). */
export const bunyan: PatchInstrumentation = {
  name: 'bunyan',
  module: 'bunyan',
  versions: { from: '1.0.0', below: '3.0.0' },
  kind: 'patch',
  patch(exports, ctx) {
    ctx.patches.method((exports as { prototype?: object } | undefined)?.prototype, '_emit', wrapEmit);
  },
};
