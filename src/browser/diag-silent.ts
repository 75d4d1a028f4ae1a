// The script-tag bundle's stand-in for core/diag.ts. The bundle exposes no way to install a
// logger, so runtime diagnostics could never be shown: this keeps the same names and drops
// them with their message text. Configuration mistakes are the exception: they go to
// console.warn, because a misconfigured tag that says nothing looks like a working one.
import type { DiagLevel, DiagLogger } from '../core/diag.js';

const noop = (): void => {};

/**
 * Silent diagnostics except `config`. One empty arrow per method, not a shared `noop`:
 * terser then drops every call together with its message text (it keeps calls through a
 * shared alias).
 */
export const diag = {
  error: (..._: unknown[]): void => {},
  warn: (..._: unknown[]): void => {},
  info: (..._: unknown[]): void => {},
  debug: (..._: unknown[]): void => {},
  once: (..._: unknown[]): void => {},
  warnOnce: (..._: unknown[]): void => {},
  config: (message: string, ...args: unknown[]): void => console.warn('[skywalking-tracing] ' + message, ...args),
};

/** Unused in the script tag; present so imports resolve. */
export const consoleDiagLogger: DiagLogger = { error: noop, warn: noop, info: noop, debug: noop };

/** Unused in the script tag; present so imports resolve. */
export function setDiagLogger(_logger?: DiagLogger, _level?: DiagLevel): void {}

/** Unused in the script tag; present so imports resolve. */
export function parseDiagLevel(_value: string | undefined): DiagLevel | undefined {
  return undefined;
}
