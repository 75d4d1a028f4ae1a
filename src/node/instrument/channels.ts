// Spans from a library's diagnostics_channel tracing channel. Node's contract: `start`
// runs in the caller's async context; a promise's rejection fires `error` then `asyncEnd`;
// a synchronous throw fires `error` then `end` (no asyncEnd); a callback fires `error`
// (when given one) then `asyncEnd` around the callback. So: open at start, mark at
// error, end at asyncEnd, or at end when the error came first.
import dc from 'node:diagnostics_channel';
import { diag } from '../../core/index.js';
import type { Span } from '../../core/index.js';

/**
 * Subscribes to tracing channel `name`: `open` turns each operation's context object into
 * a span (or undefined: not traced). Returns the unsubscribe. Never throws into the library.
 */
export function traceChannel<M extends object>(name: string, open: (message: M) => Span | undefined): () => void {
  // The span rides on the channel's context object under a symbol of this subscription, not
  // in a WeakMap keyed by it: V8's scavenger keeps a WeakMap's values alive while their keys
  // are young, which under load grows the young generation (and RSS) with every call.
  const key = Symbol(name);
  type Holder = { [key]?: { span: Span; failed: boolean } };
  const spans = {
    get: (m: object) => (m as Holder)[key],
    set: (m: object, v: { span: Span; failed: boolean }) => void ((m as Holder)[key] = v),
    delete: (m: object) => void ((m as Holder)[key] = undefined),
  };
  const finish = (message: object) => {
    const entry = spans.get(message);
    if (!entry) return;
    spans.delete(message);
    entry.span.end();
  };
  const handlers = {
    start(message: unknown) {
      try {
        const span = open(message as M);
        if (span) spans.set(message as object, { span, failed: false });
      } catch (err) {
        diag.once('error', `channel-${name}`, `tracing a ${name} operation failed; it runs untraced`, err);
      }
    },
    end(message: unknown) {
      // Only a synchronous throw ends here: an async error is published after `end`.
      if (spans.get(message as object)?.failed) finish(message as object);
    },
    asyncStart() {},
    asyncEnd(message: unknown) {
      finish(message as object);
    },
    error(message: unknown) {
      const entry = spans.get(message as object);
      if (!entry) return;
      entry.failed = true;
      entry.span.error((message as { error?: unknown }).error);
    },
  };
  const channel = dc.tracingChannel(name);
  channel.subscribe(handlers);
  return () => {
    channel.unsubscribe(handlers);
  };
}
