import dc from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import Module from 'node:module';
import type { AnyFunction, Patches } from '../core/patch.js';

// The error a framework caught from the app's handler, on the raw request it served.
const ERROR = Symbol('skywalking-tracing.handler-error');
type Req = IncomingMessage & { [ERROR]?: unknown };

function note(req: unknown, err: unknown): void {
  try {
    // The last one wins: an error handler that replaces the error hands on the one the response reports.
    if (req && typeof req === 'object' && err != null) (req as Req)[ERROR] = err;
  } catch {
    // A frozen request: a channel subscriber's throw would become an uncaught exception.
  }
}

/** The error a handler of `req` threw or rejected with, as its framework reported it; undefined if none. */
export function handlerError(req: IncomingMessage): unknown {
  return (req as Req)[ERROR];
}

const KOA_APPLICATION = /[\\/]koa[\\/]lib[\\/]application\.js$/;
const KOA_CONTEXT = /[\\/]koa[\\/]lib[\\/]context\.js$/;

/**
 * Learns the errors that Express, Fastify and Koa catch from the app's handlers, so the
 * entry span can log them ({@link handlerError}): frameworks turn them into a 500 and the
 * message and stack are lost otherwise. Express (router 2.3 and later) and Fastify 5
 * publish them on diagnostics channels; Koa publishes nothing, so its `ctx.onerror` (on
 * the context prototype every app shares) is wrapped when Koa's application module loads
 * it. Returns the unsubscribe function; the Koa wrappers go with `patches`.
 */
export function watchHandlerErrors(patches: Patches): () => void {
  const onExpress = (m: unknown) => note((m as { req?: unknown }).req, (m as { error?: unknown }).error);
  const onFastify = (m: unknown) => note((m as { request?: { raw?: unknown } }).request?.raw, (m as { error?: unknown }).error);
  const subscriptions: Array<[string, (m: unknown) => void]> = [
    ['tracing:express.router.request:error', onExpress],
    ['tracing:fastify.request.handler:error', onFastify],
  ];
  for (const [name, fn] of subscriptions) dc.subscribe(name, fn);
  const patchKoa = (context: unknown) =>
    patches.method(context as object, 'onerror', (onerror: AnyFunction) =>
      function (this: { req?: unknown }, err: unknown): unknown {
        note(this?.req, err);
        return onerror.apply(this, arguments as unknown as unknown[]);
      },
    );
  // Koa loaded before the agent started.
  const cache = (Module as unknown as { _cache?: Record<string, { exports?: unknown } | undefined> })._cache ?? {};
  for (const file of Object.keys(cache)) if (KOA_CONTEXT.test(file)) patchKoa(cache[file]?.exports);
  // Koa's application.js requires './context' as it loads (CommonJS and ESM imports alike).
  patches.method(Module.prototype, 'require', (original) =>
    function require(this: { filename?: unknown }, id: unknown): unknown {
      const exported: unknown = original.apply(this, arguments as unknown as unknown[]);
      if (id === './context' && typeof this.filename === 'string' && KOA_APPLICATION.test(this.filename)) patchKoa(exported);
      return exported;
    },
  );
  return () => {
    for (const [name, fn] of subscriptions) dc.unsubscribe(name, fn);
  };
}
