// The one patch helper of Node and browser instrumentations. Platform-free: it needs only
// Object.defineProperty and diag, so the browser bundle and Node share it.
import { diag } from './diag.js';

/** Marks our wrappers (shared by every copy of the package: ESM, CJS, script tag). */
const ORIGINAL = Symbol.for('skywalking-tracing.original');

// Patched functions have arbitrary signatures; callers cast at their boundary.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFunction = (this: any, ...args: any[]) => any;

/** The function a wrapper replaced, when `fn` is one of ours; otherwise undefined. */
export function originalOf(fn: unknown): AnyFunction | undefined {
  return typeof fn === 'function' ? ((fn as { [ORIGINAL]?: AnyFunction })[ORIGINAL] ?? undefined) : undefined;
}

/**
 * A set of patches that live and die together, one per agent. Each wrapper checks
 * {@link Patches.on} on every call, so once the set is {@link Patches.restore | restored}
 * a wrapper that could not be taken out (another library wrapped it since, and keeps
 * calling it) passes straight through to the original.
 */
export class Patches {
  /** False after {@link restore}: every wrapper of this set passes through. */
  on = true;
  private readonly undo: Array<() => void> = [];

  /**
   * Replaces `target[name]` with `wrap(original)`. Never throws: a missing function, one
   * that is already ours, a locked (non-writable, non-configurable) property or a `wrap`
   * that throws leave the property as it was; the locked case and a throwing `wrap` get
   * a diagnostic. Returns whether the patch is in place.
   */
  method(target: object | null | undefined, name: string, wrap: (original: AnyFunction) => AnyFunction): boolean {
    try {
      const t = target as Record<string, unknown>;
      const current = t?.[name] as AnyFunction;
      if (!this.on || typeof current !== 'function' || (current as { [ORIGINAL]?: unknown })[ORIGINAL]) return false;
      const own = Object.getOwnPropertyDescriptor(t, name);
      const inner = wrap(current);
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const set = this;
      const wrapper = function (this: unknown): unknown {
        // `arguments` rather than rest parameters: no array is allocated on the hot path.
        return (set.on ? inner : current).apply(this, arguments as unknown as unknown[]);
      };
      // Keep what feature checks read: the function's name and arity.
      Object.defineProperties(wrapper, { [ORIGINAL]: { value: current }, name: { value: current.name, configurable: true }, length: { value: current.length, configurable: true } });
      // A non-configurable property can only be assigned (if writable); anything else is
      // redefined, keeping its enumerability. A locked one, or a frozen target, says no.
      if (own && !own.configurable) {
        if (own.writable) t[name] = wrapper;
      } else
        try {
          Object.defineProperty(t, name, { value: wrapper, writable: true, configurable: true, enumerable: !!own?.enumerable });
        } catch {
          // Frozen or non-extensible: caught by the check below.
        }
      if (t[name] !== wrapper) {
        diag.warn(`${name} is locked (not writable); it stays untraced`);
        return false;
      }
      this.undo.push(() => {
        // Someone wrapped it since: their wrapper keeps calling ours, which now passes through.
        if (t[name] !== wrapper) return;
        // Exactly what was there: an own property (data or accessor) or nothing, so the inherited one shows again.
        if (own?.configurable) Object.defineProperty(t, name, own);
        else if (own) t[name] = own.value;
        else delete t[name];
      });
      return true;
    } catch (err) {
      diag.warn(`could not instrument ${name}`, err);
      return false;
    }
  }

  /** Turns every wrapper into a pass-through and puts back the originals still under ours. Never throws. */
  restore(): void {
    this.on = false;
    for (const u of this.undo.splice(0).reverse())
      try {
        u();
      } catch {
        // A property locked since then keeps our wrapper, which now passes through.
      }
  }
}
