// Log levels across loggers, ranked, and their tag values (upper case, as the Java agent's).

/** A log level as the agent's API and bridges name it. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** A reporting threshold: a level, or `off` to report nothing. */
export type LogThreshold = LogLevel | 'off';

const RANK: Record<LogThreshold, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, off: Infinity };

/**
 * A level name as loggers spell it, leniently (case-insensitive; `warning`, `err`,
 * `critical`, `verbose`, `silly`, `notice` and `log` mapped to the nearest level);
 * undefined when it is no level.
 */
export function parseLogLevel(value: unknown): LogLevel | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toLowerCase();
  if (v in RANK && v !== 'off') return v as LogLevel;
  switch (v) {
    case 'warning':
      return 'warn';
    case 'err':
    case 'critical':
    case 'crit':
    case 'alert':
    case 'emerg':
      return v === 'err' ? 'error' : 'fatal';
    case 'verbose':
    case 'silly':
      return 'trace';
    case 'notice':
    case 'log':
    case 'http':
      return 'info';
    default:
      return undefined;
  }
}

/** A threshold option: a level name or `off`/`none`/`silent`; undefined when it is neither. */
export function parseLogThreshold(value: unknown): LogThreshold | undefined {
  if (typeof value === 'string' && /^(off|none|silent)$/i.test(value.trim())) return 'off';
  return parseLogLevel(value);
}

/** True when `level` is at or above `threshold`. */
export function atLeast(level: LogLevel, threshold: LogThreshold): boolean {
  return RANK[level] >= RANK[threshold];
}

/** The `level` tag OAP shows and searches: `INFO`, `WARN`, `ERROR`, … */
export function levelTag(level: LogLevel): string {
  return level.toUpperCase();
}
