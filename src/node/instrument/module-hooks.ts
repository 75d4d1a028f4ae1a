// The one module-hook mechanism of every patch-based instrumentation: require-in-the-middle
// for CommonJS, import-in-the-middle for ESM. The ESM side only works when the preload
// registered import-in-the-middle's loader (registerEsmLoader) before the app's imports.
import * as nodeModule from 'node:module';
import { createAddHookMessageChannel, Hook as ImportHook } from 'import-in-the-middle';
import { Hook as RequireHook } from 'require-in-the-middle';

/** Called once per loaded copy of a watched module (per way of loading it: require or import). */
export type OnModuleLoad = (moduleObject: unknown, name: string, baseDir: string | undefined) => void;

/**
 * Calls `onLoad` with the exports of each of `modules` that loads from now on: by
 * `require` (CommonJS) and, with the preload's loader, by `import` (ESM; for a CommonJS
 * module imported from ESM, the namespace's `default`, the same object `require` gives).
 * Returns the function that stops watching. `onLoad` must not throw.
 */
export function watchModules(modules: readonly string[], onLoad: OnModuleLoad): () => void {
  if (modules.length === 0) return () => {};
  const list = [...modules];
  const cjs = new RequireHook(list, (exports, name, baseDir) => {
    onLoad(exports, name, baseDir);
    return exports;
  });
  const esm = new ImportHook(list, (namespace, name, baseDir) => {
    const d = (namespace as { default?: unknown }).default;
    onLoad(d !== null && (typeof d === 'object' || typeof d === 'function') ? d : namespace, name, baseDir || undefined);
    // undefined: the namespace's default stays what it is.
    return undefined;
  });
  return () => {
    cjs.unhook();
    esm.unhook();
  };
}

/**
 * Registers import-in-the-middle's ESM loader, intercepting only `modules` (not the app's
 * own files). Must run before the app's first import: the `--import` preload calls it.
 * The CommonJS build and a Node without `module.register` (before 20.6) do nothing: ESM
 * imports then stay untraced. Never throws.
 */
export function registerEsmLoader(modules: readonly string[]): boolean {
  try {
    const register = (nodeModule as { register?: (specifier: string, parent: string, options: unknown) => void }).register;
    if (typeof register !== 'function' || modules.length === 0) return false;
    // Only from the ESM build (the --import preload): Node 20 exits with code 1 when a
    // --require preload registers loader hooks. ESM apps use --import.
    if (typeof __filename !== 'undefined') return false;
    const { registerOptions } = createAddHookMessageChannel();
    // The names go in up front: Hook() later sends them again over the message port, but
    // the app's first static imports may resolve before the loader thread reads it.
    (registerOptions.data as { include: string[] }).include.push(...modules);
    register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
    return true;
  } catch {
    return false;
  }
}
