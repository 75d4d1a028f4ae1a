/** Severity of a diagnostic message, from quietest to noisiest. */
export type DiagLevel = 'none' | 'error' | 'warn' | 'info' | 'debug';

/** Where the agent's own diagnostics go. Every method must be safe to call with any arguments. */
export interface DiagLogger {
  /** The agent lost data or cannot work (a reporter that throws, an unencodable segment). */
  error(message: string, ...args: unknown[]): void;
  /** Misuse or a condition that starts dropping data (full queues, limits, bad input). */
  warn(message: string, ...args: unknown[]): void;
  /** Recoveries and state changes (the collector is reachable again). */
  info(message: string, ...args: unknown[]): void;
  /** Details for debugging the agent itself. */
  debug(message: string, ...args: unknown[]): void;
}

const RANK: Record<DiagLevel, number> = { none: 0, error: 1, warn: 2, info: 3, debug: 4 };

type Level = Exclude<DiagLevel, 'none'>;
type Write = (message: string, ...args: unknown[]) => void;
// A logger whose four methods `method` makes (written once: the bundles carry each level's name once).
const byLevel = (method: (level: Level) => Write): DiagLogger => ({ error: method('error'), warn: method('warn'), info: method('info'), debug: method('debug') });

/**
 * The default logger: writes to `console.error`/`warn`/`info`/`debug` with a
 * `[skywalking-tracing]` prefix. What it shows depends on the level given to {@link setDiagLogger}.
 */
// One console method per level, with the prefix that tells the agent's lines apart.
export const consoleDiagLogger: DiagLogger = byLevel((level) => (m, ...a) => console[level]('[skywalking-tracing] ' + m, ...a));

let sink: DiagLogger = consoleDiagLogger;
// Silent by default: a tracing agent must not write to the host's console unless asked.
let rank = RANK.none;
// Set only by an explicit setDiagLogger(…, 'none'): configuration mistakes are shown otherwise.
let muted = false;
const onceKeys = new Set<string>();

function emit(level: Exclude<DiagLevel, 'none'>, message: string, args: unknown[]): void {
  if (RANK[level] > rank) return;
  try {
    sink[level](message, ...args);
  } catch {
    // A broken user logger must not turn a diagnostic into a host exception.
  }
}

function emitOnce(level: Exclude<DiagLevel, 'none'>, key: string, message: string, args: unknown[]): void {
  if (RANK[level] > rank || onceKeys.has(key)) return;
  if (onceKeys.size < 1000) onceKeys.add(key);
  emit(level, message, args);
}

/**
 * The agent's diagnostics channel. Internal errors go here and never to the host.
 * Silent until {@link setDiagLogger} raises the level, except {@link diag.config}.
 */
export const diag = {
  ...byLevel((level) => (message, ...args) => emit(level, message, args)),
  /** Logs `message` at most once per `key` for the life of the process or page. */
  once: (level: Exclude<DiagLevel, 'none'>, key: string, message: string, ...args: unknown[]): void => emitOnce(level, key, message, args),
  /** A warning logged at most once, keyed by its (constant) message: the common case of {@link diag.once}, shorter at each call site. */
  warnOnce(message: string, ...args: unknown[]): void {
    emitOnce('warn', message, message, args);
  },
  /**
   * A configuration mistake (an unknown option, an unusable value, a global that cannot be
   * patched): shown through the logger's `warn` even at the default level, because a
   * misconfigured agent that says nothing looks like a working one. Only an explicit
   * `setDiagLogger(…, 'none')` mutes it. Call it once per mistake, at start, never at runtime.
   */
  config(message: string, ...args: unknown[]): void {
    if (muted) return;
    try {
      sink.warn(message, ...args);
    } catch {
      // A broken user logger must not turn a diagnostic into a host exception.
    }
  },
};

/**
 * Installs a diagnostics logger and level. `setDiagLogger(undefined, 'warn')` keeps the
 * console logger and shows warnings and errors.
 */
export function setDiagLogger(logger: DiagLogger | undefined, level: DiagLevel = 'warn'): void {
  sink = logger ?? consoleDiagLogger;
  rank = RANK[level] ?? RANK.warn;
  muted = rank === RANK.none;
}

/** Parses a level name leniently (case-insensitive); unknown names give `undefined`. */
export function parseDiagLevel(value: string | undefined): DiagLevel | undefined {
  const v = value?.trim().toLowerCase();
  if (v === 'warning') return 'warn';
  if (v === 'trace' || v === 'all') return 'debug';
  if (v === 'off' || v === 'silent') return 'none';
  return v !== undefined && v in RANK ? (v as DiagLevel) : undefined;
}
