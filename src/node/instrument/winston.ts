// winston 3: every record reaches `Logger.prototype.write(info)` (log(), info(), child
// loggers), synchronously in the caller's async context, before formats run.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { AnyFunction } from '../../core/patch.js';
import { parseLogLevel } from '../../core/index.js';
import { agentLog, fieldsOf, injectTraceIds, traceIdFields } from '../log/bridge.js';
import type { PatchInstrumentation } from './types.js';

const SKIP = new Set(['level', 'message', 'trace_id', 'segment_id', 'span_id']);

function wrapWrite(original: AnyFunction): AnyFunction {
  return function write(this: unknown, info: unknown) {
    try {
      if (info && typeof info === 'object') {
        const rec = info as Record<string, unknown>;
        if (injectTraceIds()) {
          const ids = traceIdFields();
          if (ids) Object.assign(rec, ids);
        }
        const log = agentLog();
        const level = parseLogLevel(rec.level) ?? 'info';
        if (log?.enabled(level)) {
          const message = typeof rec.message === 'string' ? rec.message : rec.message === undefined ? '' : String(rec.message);
          log.write({ level, message, fields: fieldsOf(rec, SKIP), logger: typeof rec.label === 'string' ? rec.label : 'winston' });
        }
      }
    } catch {
      // reporting a log line must never break it
    }
    return original.apply(this, arguments as unknown as unknown[]);
  };
}

/** winston 3: records at or above `logReporterLevel` to OAP, tags `level` and `logger` (`label`, else `winston`). */
export const winston: PatchInstrumentation = {
  name: 'winston',
  module: 'winston',
  versions: { from: '3.0.0', below: '4.0.0' },
  kind: 'patch',
  patch(_exports, ctx, baseDir) {
    if (!baseDir) return;
    const Logger = createRequire(join(baseDir, 'package.json'))('./lib/winston/logger.js') as { prototype?: object } | undefined;
    ctx.patches.method(Logger?.prototype, 'write', wrapWrite);
  },
};
