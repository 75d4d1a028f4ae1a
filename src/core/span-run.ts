// A user span's lifetime around the user's function: the one place both agents decide when a
// `withSpan` span ends and when it failed. Which span is active while `fn` runs is the
// runtime's (AsyncLocalStorage in Node, the page's span stack in the browser).
import type { Span } from './span.js';

/**
 * Calls `fn(span)` and ends `span` when `fn` returns or, when it returns a promise (any
 * thenable), when that settles. A throw or rejection marks the span failed before it ends
 * and reaches the caller unchanged. For a promise, the promise chained on it is returned,
 * so an `await` resumes after the span has ended and an unhandled rejection stays the
 * caller's.
 * @internal
 */
export function runToEnd<T>(span: Span, fn: (span: Span) => T): T {
  let result: T;
  try {
    result = fn(span);
  } catch (err) {
    span.error(err).end();
    throw err;
  }
  if (typeof (result as { then?: unknown } | undefined)?.then === 'function') {
    return (result as unknown as Promise<unknown>).then(
      (v) => (span.end(), v),
      (err: unknown) => {
        span.error(err).end();
        throw err;
      },
    ) as T;
  }
  span.end();
  return result;
}
