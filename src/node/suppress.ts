import { processState } from './process-state.js';

// The agent's own network traffic runs inside this flag, so instrumentation skips it:
// a reporter must never trace (and so re-report) its own requests. Shared by the ESM and
// CommonJS copies: either copy's reporter may run under the other's instrumentation.
const suppressed = processState.suppressed;

/** Runs `fn` with tracing suppressed for everything it starts, synchronously or not. */
export function runSuppressed<T>(fn: () => T): T {
  return suppressed.run(true, fn);
}

/** True inside {@link runSuppressed}. */
export function isSuppressed(): boolean {
  return suppressed.getStore() === true;
}
