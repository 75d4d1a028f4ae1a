// The script-tag bundle: global `SkyWalking`. Starts itself from its own tag's data-*
// attributes when `data-service` is present:
//   <script src="skywalking-tracing.iife.min.js" data-service="web" data-service-instance="1.4.2"
//           data-collector="/skywalking" data-protocol="grpc-web" data-propagate-to="https://api.example.com"></script>
import { currentAgent, start } from './agent.js';

/** Sends queued segments of the running agent now. */
export function flush(timeoutMs?: number): Promise<void> {
  return currentAgent()?.flush(timeoutMs) ?? Promise.resolve();
}

export { currentAgent, start };

const script = globalThis.document?.currentScript as HTMLScriptElement | null | undefined;
const d = script?.dataset;
if (d?.service) {
  try {
    start({
      service: d.service,
      serviceInstance: d.serviceInstance,
      collector: d.collector,
      // Anything but 'http' means gRPC-web.
      protocol: d.protocol as 'http' | undefined,
      propagateTo: d.propagateTo ? d.propagateTo.split(',').map((s) => s.trim()) : undefined,
      pagePath: d.pagePath,
    });
  } catch {
    // A misconfigured tag must not break the page.
  }
}
