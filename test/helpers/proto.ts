// Decodes wire bytes with protobufjs loading proto/: the official field layout,
// independent of the hand-written encoder under test.
import { join } from 'node:path';
import protobuf from 'protobufjs';

const root = new protobuf.Root();
root.resolvePath = (_origin, target) => join(import.meta.dirname, '../../proto', target);
root.loadSync([
  'common/Common.proto',
  'common/Command.proto',
  'language-agent/Tracing.proto',
  'language-agent/Meter.proto',
  'management/Management.proto',
  'logging/Logging.proto',
  'browser/BrowserPerf.proto',
]);
root.resolveAll();

export const protoRoot = root;

/** Decodes `bytes` as `skywalking.v3.<type>` into a plain object with enums as names and longs as numbers. */
export function decodeAs(type: string, bytes: Uint8Array): Record<string, unknown> {
  const t = root.lookupType(`skywalking.v3.${type}`);
  return t.toObject(t.decode(bytes), { enums: String, longs: Number, defaults: true, arrays: true }) as Record<string, unknown>;
}
