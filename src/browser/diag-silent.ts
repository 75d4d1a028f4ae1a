// The script-tag bundle's stand-in for core/diag.ts. The bundle exposes no way to install a
// logger, so its diagnostics could never be shown: this keeps the same names and drops the
// machinery and every message. Use the npm build with setDiagLogger() to see diagnostics.
import type { DiagLevel, DiagLogger } from '../core/diag.js';

const noop = (): void => {};

/**
 * Silent diagnostics. One empty arrow per method, not a shared `noop`: terser then drops
 * every call together with its message text (it keeps calls through a shared alias).
 */
export const diag = {
  error: (..._: unknown[]): void => {},
  warn: (..._: unknown[]): void => {},
  info: (..._: unknown[]): void => {},
  debug: (..._: unknown[]): void => {},
  once: (..._: unknown[]): void => {},
};

/** Unused in the script tag; present so imports resolve. */
export const consoleDiagLogger: DiagLogger = { error: noop, warn: noop, info: noop, debug: noop };

/** Unused in the script tag; present so imports resolve. */
export function setDiagLogger(_logger?: DiagLogger, _level?: DiagLevel): void {}

/** Unused in the script tag; present so imports resolve. */
export function parseDiagLevel(_value: string | undefined): DiagLevel | undefined {
  return undefined;
}
