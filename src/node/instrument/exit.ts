import type { Span, SpanLayer, Tracer } from '../../core/index.js';
import { parentFor, traceStorage } from '../context.js';
import { hostPort } from '../targets.js';
import type { ResolvedOptions } from '../options.js';
import { isSuppressed } from '../suppress.js';

/**
 * Opens an Exit span under the active span. Without one: a new trace only when
 * `traceWithoutParent` is on (the HTTP clients' rule), else undefined; undefined too
 * while the agent sends its own traffic.
 */
export function openExit(tracer: Tracer, options: ResolvedOptions, operation: string, peer: string, layer: SpanLayer, component: number): Span | undefined {
  const store = traceStorage.getStore();
  if (isSuppressed() || (!store && !options.traceWithoutParent)) return undefined;
  const { context, parent } = parentFor(tracer, store);
  const span = context.createExitSpan(operation, parent, peer);
  span.setLayer(layer).setComponent(component);
  return span;
}

/** A database's peer: `host:port` (IPv6 in brackets), or the socket path when there is no port. */
export function peerOf(address: unknown, port: unknown): string {
  const host = typeof address === 'string' && address ? address : 'localhost';
  return port === undefined || port === null || port === '' ? host : hostPort(host, String(port));
}
