// The contract between the agent and its fetch and XHR instrumentations, in its own file so
// neither side imports the other.
import type { Span } from '../core/span.js';

/** What fetch and XHR instrumentation need from the agent. Internal: not part of the stable API. */
export interface RequestHooks {
  /** Starts the Exit span of a request (undefined: not traced). `method` as the caller gave it. */
  begin(method: string, url: URL, setHeader: (key: string, value: string) => void): Span | undefined;
  /** Ends a request's span: status 0 is no answer (with `error`), at or above 400 a failure. Never throws. */
  end(span: Span, status: number, error?: unknown): void;
  /** Set by monitoring: a request failed (status 0: no answer, `text` the error; else the status text). Never throws. */
  fail?(url: URL, status: number, text: unknown): void;
}
