import { diag } from '../core/index.js';

const ORIGINAL = Symbol.for('skywalking-tracing.original');

// Patched functions have arbitrary signatures; callers cast at their boundary.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFunction = (this: any, ...args: any[]) => any;

/**
 * Replaces `target[name]` with `wrap(original)`, marking the wrapper so it is never
 * wrapped twice, and returns the function that restores exactly what was there (an
 * own property, or the inherited one). A locked property is left alone with a diagnostic.
 */
export function patchMethod(target: object, name: string, wrap: (original: AnyFunction) => AnyFunction): () => void {
  const t = target as Record<string, unknown>;
  const current = t[name] as AnyFunction & { [ORIGINAL]?: unknown };
  if (typeof current !== 'function') return () => {};
  if (current[ORIGINAL]) return () => {};
  const own = Object.getOwnPropertyDescriptor(target, name);
  const hadOwn = own !== undefined;
  const enumerable = own?.enumerable ?? false;
  const wrapped = wrap(current);
  try {
    Object.defineProperty(wrapped, ORIGINAL, { value: current });
    Object.defineProperty(target, name, { value: wrapped, writable: true, configurable: true, enumerable });
  } catch (err) {
    diag.warn(`could not instrument ${String(name)}: the property is locked`, err);
    return () => {};
  }
  return () => {
    if (t[name] !== wrapped) {
      diag.debug(`${String(name)} was re-patched by someone else; leaving their patch in place`);
      return;
    }
    if (hadOwn) Object.defineProperty(target, name, { value: current, writable: true, configurable: true, enumerable });
    else delete t[name];
  };
}
