import { createRequire } from 'node:module';

let req: NodeJS.Require | undefined;

/**
 * `require` for modules loaded on first use rather than with the package (@grpc/grpc-js,
 * node:http2). From our ESM build it is made from this module's URL; where a bundler
 * turned the code into CommonJS (`import.meta.url` then empty) the module's own `require`.
 */
export function lazyRequire<T>(id: string): T {
  req ??= typeof import.meta.url === 'string' ? createRequire(import.meta.url) : require;
  return req(id) as T;
}

/**
 * The module `id` as this package resolves it, if something has already loaded it (the
 * agent's own grpc-js, say); undefined without loading it.
 */
export function loadedModule<T>(id: string): T | undefined {
  try {
    req ??= typeof import.meta.url === 'string' ? createRequire(import.meta.url) : require;
    const cached = req.cache[req.resolve(id)];
    return cached?.loaded ? (cached.exports as T) : undefined;
  } catch {
    return undefined;
  }
}
