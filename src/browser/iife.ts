// The script-tag bundle: global `SkyWalking`. Starts itself from its own tag's data-*
// attributes when `data-service` is present:
//   <script src="skywalking-tracing.iife.min.js" data-service="web" data-service-instance="1.4.2"
//           data-collector="/skywalking" data-protocol="grpc-web" data-propagate-to="https://api.example.com"></script>
import { diag } from '../core/diag.js';
import { closest, reportUnknownKeys } from '../core/options-check.js';
import { currentAgent, start } from './agent.js';
import { monitor } from './monitor/index.js';
import { OPTION_KEYS, type BrowserAgentOptions } from './options.js';

/** Sends queued segments of the running agent now. */
export async function flush(timeoutMs?: number): Promise<void> {
  await currentAgent()?.flush(timeoutMs);
}

export { currentAgent, monitor, start };

// dataset key → attribute name: serviceInstance → data-service-instance.
const attr = (k: string) => 'data-' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

const script = globalThis.document?.currentScript as HTMLScriptElement | null | undefined;
const d = script?.dataset;
if (d) {
  const known = (OPTION_KEYS as string[]).filter((k) => k != 'reporter').concat(monitor.keys);
  // The tag may carry other tools' data-* attributes: only those near an option's name are
  // mistakes (data-servce, data-colector), named with the attribute they were meant to be.
  const near: Record<string, 1> = {};
  const options: Record<string, unknown> = {};
  for (const k in d)
    if (known.includes(k)) options[k] = d[k];
    else if (closest(k, known)) near[attr(k)] = 1;
  reportUnknownKeys(near, known.map(attr), 'attribute', diag.config);
  if (d.service)
    try {
      // The data-* names are the option names (data-service-instance → serviceInstance).
      start({ ...options, propagateTo: d.propagateTo?.split(','), ignoreErrors: d.ignoreErrors?.split(','), monitor } as unknown as BrowserAgentOptions);
    } catch {
      // A misconfigured tag must not break the page.
    }
}
