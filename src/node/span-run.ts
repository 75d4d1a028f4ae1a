// A user span's lifetime around the user's function: the one place the Node agent decides
// when a `withSpan` span ends and when it failed. Platform-free (only core's Span), so the
// browser's span scope can share it once it lives in core.
import type { Span } from '../core/index.js';

/**
 * Calls `fn(span)` and ends `span` when `fn` returns or, when it returns a promise (any
 * thenable), when that settles. A throw or rejection marks the span failed before it ends
 * and reaches the caller unchanged. For a promise, the promise chained on it is returned,
 * so an `await` resumes after the span has ended.
 */
export function runToEnd<T>(span: Span, fn: (span: Span) => T): T {
  let result: T;
  try {
    result = fn(span);
  } catch (err) {
    span.error(err);
    span.end();
    throw err;
  }
  if (result && typeof (result as { then?: unknown }).then === 'function') {
    return (result as unknown as Promise<unknown>).then(
      (v) => {
        span.end();
        return v;
      },
      (err: unknown) => {
        span.error(err);
        span.end();
        throw err;
      },
    ) as T;
  }
  span.end();
  return result;
}
