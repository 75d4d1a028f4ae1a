// The script-tag bundle: global `SkyWalking`. Starts itself from its own tag's data-*
// attributes when `data-service` is present:
//   <script src="skywalking-tracing.iife.min.js" data-service="web" data-service-instance="1.4.2"
//           data-collector="/skywalking" data-protocol="grpc-web" data-propagate-to="https://api.example.com"></script>
import { currentAgent, start, type BrowserAgentOptions } from './agent.js';

/** Sends queued segments of the running agent now. */
export async function flush(timeoutMs?: number): Promise<void> {
  await currentAgent()?.flush(timeoutMs);
}

export { currentAgent, start };

const script = globalThis.document?.currentScript as HTMLScriptElement | null | undefined;
const d = script?.dataset;
if (d?.service) {
  try {
    // The data-* names are the option names (data-service-instance → serviceInstance);
    // an unknown or unusable one is ignored by start() like any bad option.
    start({ ...d, propagateTo: d.propagateTo?.split(',') } as unknown as BrowserAgentOptions);
  } catch {
    // A misconfigured tag must not break the page.
  }
}
