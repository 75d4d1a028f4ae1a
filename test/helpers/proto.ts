// Decodes wire bytes with protobufjs loading proto/ (as the generators do): the official
// field layout, independent of the hand-written encoder under test.
import { loadProtoRoot } from '../../scripts/proto-root.mjs';

/** protobufjs' Root of every protocol file in proto/. */
export const protoRoot = loadProtoRoot();

/** Decodes `bytes` as `skywalking.v3.<type>` into a plain object with enums as names and longs as numbers. */
export function decodeAs(type: string, bytes: Uint8Array): Record<string, unknown> {
  const t = protoRoot.lookupType(`skywalking.v3.${type}`);
  return t.toObject(t.decode(bytes), { enums: String, longs: Number, defaults: true, arrays: true }) as Record<string, unknown>;
}
