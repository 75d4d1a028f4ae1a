// The bottom of the Node runtime: it imports types only, so every module may read it without
// tying itself to the agent.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { diag } from '../core/index.js';
import type { ActiveTrace } from './active-trace.js';
import type { NodeAgent } from './node-agent.js';

/**
 * Process-wide state of the Node runtime. A process can load this package twice, as its
 * ESM and its CommonJS build (`--require …/register` with an ESM app calling `start()`, or
 * a CommonJS dependency next to ESM code). Each copy has its own module variables; kept
 * there, each would start its own agent (two reporters, fetch recorded twice, user spans
 * in a context the other copy's instrumentation never sees). Kept here, on `globalThis`
 * under a registered symbol, both copies share one agent, one async context and one
 * suppression flag. The `v1` in the key is this shape's version: a copy with another shape
 * must use another key.
 * @internal
 */
export interface ProcessState {
  /** The running agent, whichever copy started it. */
  agent: NodeAgent | undefined;
  /** The diagnostics of the copy that started the agent (each copy has its own logger). */
  diag: typeof diag | undefined;
  /** The async context of traced work. */
  readonly traceStorage: AsyncLocalStorage<ActiveTrace>;
  /** Set while the agent sends its own traffic. */
  readonly suppressed: AsyncLocalStorage<boolean>;
  /** The ingest handlers' report routes, per base path. */
  readonly ownPaths: Map<string, (path: string) => boolean>;
}

const KEY = Symbol.for('skywalking-tracing.node.shared.v1');

function load(): ProcessState {
  const g = globalThis as { [KEY]?: ProcessState };
  return (g[KEY] ??= {
    agent: undefined,
    diag: undefined,
    traceStorage: new AsyncLocalStorage<ActiveTrace>(),
    suppressed: new AsyncLocalStorage<boolean>(),
    ownPaths: new Map(),
  });
}

/** The state every copy of the Node runtime in this process shares. @internal */
export const processState: ProcessState = load();
