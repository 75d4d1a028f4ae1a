// The one module-hook mechanism of every patch-based instrumentation: require-in-the-middle
// for CommonJS, import-in-the-middle for ESM. The ESM side only works when the preload
// registered import-in-the-middle's loader (registerEsmLoader) before the app's imports.
// Both packages are CommonJS, required on first use: a static `import` of a CommonJS
// package from ESM makes Node load its CommonJS lexer (WASM, ~4 MiB RSS) with the agent,
// and an app that never starts the agent should not pay for hooks it does not install.
import { existsSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type * as Iitm from 'import-in-the-middle';
import type * as Ritm from 'require-in-the-middle';
import { lazyRequire } from '../reporter/lazy-require.js';

/** Called once per loaded copy of a watched module (per way of loading it: require or import). */
export type OnModuleLoad = (moduleObject: unknown, name: string, baseDir: string | undefined) => void;

// Whether this process's preload asked for the ESM loader, and whether it is registered.
let esmPreload = false;
let esmLoader = false;

/**
 * Calls `onLoad` with the exports of each of `modules` that loads from now on: by
 * `require` (CommonJS) and, with the preload's loader, by `import` (ESM; for a CommonJS
 * module imported from ESM, the namespace's `default`, the same object `require` gives).
 * Returns the function that stops watching. `onLoad` must not throw.
 */
export function watchModules(modules: readonly string[], onLoad: OnModuleLoad): () => void {
  if (modules.length === 0) return () => {};
  const list = [...modules];
  if (esmPreload && !esmLoader) esmLoader = registerEsmLoader(list);
  const { Hook: RequireHook } = lazyRequire<typeof Ritm>('require-in-the-middle');
  const cjs = new RequireHook(list, (exports, name, baseDir) => {
    onLoad(exports, name, baseDir);
    return exports;
  });
  // Without the loader no import reaches an import-in-the-middle hook: none is made.
  const esm = esmLoader
    ? new (lazyRequire<typeof Iitm>('import-in-the-middle').Hook)(list, (namespace, name, baseDir) => {
        const d = (namespace as { default?: unknown }).default;
        onLoad(d !== null && (typeof d === 'object' || typeof d === 'function') ? d : namespace, name, baseDir || undefined);
        // undefined: the namespace's default stays what it is.
        return undefined;
      })
    : undefined;
  return () => {
    cjs.unhook();
    esm?.unhook();
  };
}

/**
 * Called by the preload before start(): the first watchModules() (start() installing the
 * instrumentations) then registers import-in-the-middle's ESM loader for exactly the
 * modules it watches. Must run before the app's first import.
 */
export function preloadEsmLoader(): void {
  esmPreload = true;
}

/**
 * Registers import-in-the-middle's ESM loader, intercepting only `modules` (not the app's
 * own files), when one of them is installed where the app can import it: the loader runs
 * in its own thread (~11 MiB RSS), not worth it when nothing can be hooked. The CommonJS
 * build and a Node without `module.register` (before 20.6) do nothing: ESM imports then
 * stay untraced. Never throws.
 */
function registerEsmLoader(modules: readonly string[]): boolean {
  try {
    const register = (nodeModule as { register?: (specifier: string, parent: string, options: unknown) => void }).register;
    if (typeof register !== 'function') return false;
    // Only from the ESM build (the --import preload): Node 20 exits with code 1 when a
    // --require preload registers loader hooks. ESM apps use --import.
    if (typeof __filename !== 'undefined') return false;
    const installed = modules.filter((m) => installedNear(m, appDirs()));
    if (installed.length === 0) return false;
    const { createAddHookMessageChannel } = lazyRequire<typeof Iitm>('import-in-the-middle');
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

/** Where the app imports packages from: its working directory and its main script's folder. */
function appDirs(): string[] {
  const dirs = [process.cwd()];
  if (process.argv[1]) dirs.push(dirname(resolve(process.argv[1])));
  return dirs;
}

/**
 * Whether package `name` (or a file inside it: `amqplib/lib/channel_model`) is in a
 * node_modules folder of one of `dirs` or their ancestors, as Node's resolution looks for
 * it; pnpm's hoisted store (node_modules/.pnpm/node_modules) counts too.
 */
export function installedNear(name: string, dirs: readonly string[]): boolean {
  const pkg = name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : name.split('/')[0]!;
  for (const start of dirs) {
    for (let dir = start; ; ) {
      if (existsSync(join(dir, 'node_modules', pkg)) || existsSync(join(dir, 'node_modules', '.pnpm', 'node_modules', pkg))) return true;
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return false;
}
