// The shape every library instrumentation declares. One file per library, one object of
// this type per file; install.ts is the only code that acts on them.
import type { Span, SpanLayer, Tracer } from '../../core/index.js';
import type { Patches } from '../../core/patch.js';
import type { ResolvedOptions } from '../options.js';
import type { SqlSettings } from './sql.js';

/** The keys of the `instrument` option that name a library instrumentation. */
export type LibraryName = 'pg' | 'mysql' | 'mysql2' | 'ioredis' | 'redis' | 'amqplib' | 'grpc' | 'pino' | 'winston' | 'bunyan';

/** What a library instrumentation gets when it is installed. */
export interface InstrumentContext {
  readonly tracer: Tracer;
  readonly options: ResolvedOptions;
  /** The agent's one patch set: wrappers pass through once the agent shut down. */
  readonly patches: Patches;
  /**
   * Opens an Exit span under the active span. With no active span it follows the HTTP
   * clients' rule: a new trace only with `traceWithoutParent`; otherwise undefined (not
   * traced), as it is while the agent sends its own traffic.
   */
  exit(operation: string, peer: string, layer: SpanLayer, component: number): Span | undefined;
  /** Whether SQL parameters are recorded, and their cut. */
  readonly sql: SqlSettings;
}

/** Versions as `from` (inclusive) up to `below` (exclusive), e.g. `{ from: '8.0.0', below: '9.0.0' }`. */
export interface VersionRange {
  readonly from: string;
  readonly below: string;
}

interface Common {
  /** The key of the `instrument` option (and of SW_AGENT_DISABLE_PLUGINS) that turns it off. */
  readonly name: LibraryName;
  /** The npm module whose loading is watched; its package.json gives the version checked against {@link versions}. */
  readonly module: string;
  /** The versions it supports; any other loaded version gets one diagnostic and is left untouched. */
  readonly versions: VersionRange;
}

/**
 * A library that publishes `diagnostics_channel` tracing channels (from `versions.from`):
 * `subscribe` runs once at start, whatever is loaded, and returns the unsubscribe.
 */
export interface ChannelInstrumentation extends Common {
  readonly kind: 'channels';
  /** The tracing channel names, for docs and diagnostics. */
  readonly channels: readonly string[];
  subscribe(ctx: InstrumentContext): () => void;
}

/**
 * A library without channels: `patch` runs on the module's exports (CommonJS
 * `module.exports`, or the ESM namespace's `default` for a CommonJS module imported from
 * ESM) when it loads after start, through `ctx.patches` only.
 */
export interface PatchInstrumentation extends Common {
  readonly kind: 'patch';
  /** `baseDir`: the loaded package's folder (where its package.json is). */
  patch(exports: unknown, ctx: InstrumentContext, baseDir: string | undefined): void;
  /**
   * The copy the agent itself imports (@grpc/grpc-js, for its reporter): always loaded
   * before start, so it is patched at start instead of getting the loaded-before-start
   * diagnostic. Copies loaded later are patched as usual.
   */
  readonly own?: () => unknown;
}

/** One library's instrumentation: channels or a patch, never both (no double spans). */
export type Instrumentation = ChannelInstrumentation | PatchInstrumentation;
