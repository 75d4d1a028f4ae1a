// Names the option keys start() does not know. skywalking-backend-js's own option names
// (`serviceName`, `collectorAddress`, `authorization`, …) get the name that means the same
// here; other keys get the closest known option (`colector` → `collector`).
import { closest, reportUnknownKeys } from '../core/options-check.js';

// skywalking-backend-js's AgentConfig keys whose option has another name here.
const BACKEND_JS_NAMES: Readonly<Record<string, string>> = {
  serviceName: 'service',
  collectorAddress: 'collector',
  authorization: 'authentication',
  ignoreSuffix: 'ignoreSuffixes',
  traceIgnorePath: 'ignorePaths',
  httpIgnoreMethod: 'ignoreMethods',
};

/** One diagnostic naming every key of `given` that is not in `known`; returns those keys. Never throws. */
export function reportUnknownOptions(given: unknown, known: readonly string[], warn: (message: string) => void): string[] {
  // Detection is the shared check's; only the wording differs, so it stays silent here.
  const unknown = reportUnknownKeys(given, known, 'option', () => {});
  if (unknown.length === 0) return unknown;
  const named = unknown.slice(0, 20).map((k) => {
    const near = Object.hasOwn(BACKEND_JS_NAMES, k) ? BACKEND_JS_NAMES[k] : closest(k, known);
    return near ? `${JSON.stringify(k)} (did you mean "${near}"?)` : JSON.stringify(k);
  });
  const more = unknown.length > 20 ? ` and ${unknown.length - 20} more` : '';
  warn(`unknown option${unknown.length > 1 ? 's' : ''} ignored: ${named.join(', ')}${more}`);
  return unknown;
}
