import type { DiagLogger } from '../../core/index.js';

// Depth of diagnostic calls in progress. A diagnostic is written synchronously, so a bridge
// that sees depth > 0 is looking at the agent's own output.
let depth = 0;

/** True while the agent writes one of its own diagnostics. */
export function inDiagnostic(): boolean {
  return depth > 0;
}

/**
 * Wraps a diagnostics logger so that whatever it writes (to the console, or to a pino or
 * winston logger the user passed as `logger`) is never reported back as a log record.
 */
export function guardDiagLogger(logger: DiagLogger): DiagLogger {
  const wrap =
    (level: keyof DiagLogger) =>
    (message: string, ...args: unknown[]): void => {
      depth++;
      try {
        logger[level](message, ...args);
      } finally {
        depth--;
      }
    };
  return { error: wrap('error'), warn: wrap('warn'), info: wrap('info'), debug: wrap('debug') };
}
