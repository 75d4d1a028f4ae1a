import { format } from 'node:util';
import type { LogLevel } from '../../core/index.js';
import { Patches } from '../../core/patch.js';
import type { AgentLog } from './agent-log.js';

const METHODS: Array<[name: 'log' | 'info' | 'warn' | 'error' | 'debug', level: LogLevel]> = [
  ['log', 'info'],
  ['info', 'info'],
  ['warn', 'warn'],
  ['error', 'error'],
  ['debug', 'debug'],
];

/**
 * The opt-in console bridge (`logConsole: true`): console.log/info/warn/error/debug lines at
 * or above the threshold go to OAP too, tag `logger` = `console`. The agent's own
 * diagnostics (written while a diagnostic is in progress, or with the agent's prefix) never
 * do. Returns the undo.
 */
export function bridgeConsole(log: AgentLog): () => void {
  const patches = new Patches();
  for (const [name, level] of METHODS) {
    patches.method(console, name, (original) =>
      function (this: unknown, ...args: unknown[]) {
        try {
          if (log.enabled(level) && !(typeof args[0] === 'string' && args[0].startsWith('[skywalking-tracing]'))) {
            log.write({ level, message: format(...args), logger: 'console' });
          }
        } catch {
          // reporting a console line must never break it
        }
        return original.apply(this, args);
      },
    );
  }
  return () => patches.restore();
}
