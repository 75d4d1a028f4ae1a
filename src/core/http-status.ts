// How an HTTP answer marks a span: the one rule for servers, clients and fetch, in Node and the browser.
import type { Span } from './span.js';

/**
 * Tags `http.status_code` and marks the span failed when `status` is at or above
 * `threshold`, with `error` (the handler's exception, say) as its error log when given.
 * A status of 0 (no answer: a network error, an opaque response) is not tagged.
 */
export function tagHttpStatus(span: Span, status: number, threshold = 400, error?: unknown): void {
  if (status > 0) span.tag('http.status_code', String(status));
  if (status >= threshold) span.error(error);
}
