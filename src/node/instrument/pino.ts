// pino: every record of every logger (children too) goes through one prototype method,
// `[pino.symbols.writeSym](obj, msg, levelNumber)`. It is patched on the prototype the
// loaded package's own lib/proto.js hands out: the same module instance, the same object.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { AnyFunction } from '../../core/patch.js';
import { agentLog, fieldsOf, injectTraceIds, levelFromNumber, traceIdFields } from '../log/bridge.js';
import type { PatchInstrumentation } from './types.js';

interface PinoThis {
  levels?: { labels?: Record<number, string> };
  bindings?: () => Record<string, unknown>;
}

const SKIP = new Set(['msg', 'message', 'level', 'time', 'pid', 'hostname']);

function wrapWrite(original: AnyFunction): AnyFunction {
  return function write(this: PinoThis, obj: unknown, msg: unknown, num: unknown) {
    try {
      if (injectTraceIds() && (obj === undefined || obj === null || (typeof obj === 'object' && !(obj instanceof Error)))) {
        const ids = traceIdFields();
        // A copy: the caller's object is theirs.
        if (ids) arguments[0] = { ...(obj as object | undefined), ...ids };
      }
      const log = agentLog();
      const level = levelFromNumber(num, this.levels?.labels?.[num as number]);
      if (log?.enabled(level)) {
        const o = obj instanceof Error ? { err: obj } : (obj as Record<string, unknown> | undefined);
        const message = typeof msg === 'string' ? msg : obj instanceof Error ? obj.message : typeof o?.msg === 'string' ? o.msg : '';
        const name = this.bindings?.().name;
        log.write({ level, message, fields: o && typeof o === 'object' ? fieldsOf(o, SKIP) : undefined, logger: typeof name === 'string' ? name : 'pino' });
      }
    } catch {
      // reporting a log line must never break it
    }
    return original.apply(this, arguments as unknown as unknown[]);
  };
}

/** pino 7–10: records at or above `logReporterLevel` to OAP, tags `level` and `logger` (the logger's `name`, else `pino`). */
export const pino: PatchInstrumentation = {
  name: 'pino',
  module: 'pino',
  versions: { from: '7.0.0', below: '11.0.0' },
  kind: 'patch',
  patch(exports, ctx, baseDir) {
    if (!baseDir) return;
    const writeSym = (exports as { symbols?: { writeSym?: symbol } }).symbols?.writeSym;
    const make = createRequire(join(baseDir, 'package.json'))('./lib/proto.js') as () => object;
    if (typeof writeSym !== 'symbol' || typeof make !== 'function') return;
    // Patches takes string keys; a symbol key works the same way at run time.
    ctx.patches.method(Object.getPrototypeOf(make()) as object, writeSym as unknown as string, wrapWrite);
  },
};
