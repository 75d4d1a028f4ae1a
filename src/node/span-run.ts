// The Node agent's `withSpan` ends its span the way the browser's does: the logic is core's.
export { runToEnd } from '../core/span-run.js';
