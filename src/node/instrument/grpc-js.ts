// @grpc/grpc-js 1 has interceptors but no global registration. Client calls are traced at
// Channel.prototype.createCall, which every call of every client reaches (the
// Client.prototype.make*Request methods cannot be: generated clients hold the originals,
// captured when grpc-js loads, and the agent's own grpc-js is loaded before start);
// handlers at Server.prototype.register (every addService handler). SkyWalking's own
// services (`/skywalking.v3.*`: this agent's reporter, the local collector) are never
// traced: a reporter must not report its own calls, a collector must not trace what it
// receives.
import { loadedModule } from '../reporter/lazy-require.js';
import type { Extractable, Span, TracingContext } from '../../core/index.js';
import type { AnyFunction } from '../../core/patch.js';
import { traceStorage } from '../context.js';
import type { ActiveTrace } from '../active-trace.js';
import { hostPort } from '../targets.js';
import { isSuppressed } from '../suppress.js';
import type { InstrumentContext, PatchInstrumentation } from './types.js';

/** OAP's component id for gRPC. */
export const GRPC_COMPONENT = 23;

/** gRPC status names by code (the protocol's fixed list). */
const STATUS = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];

/** The status name of `code`; UNKNOWN for anything not a gRPC code (what grpc-js sends then). */
export function statusName(code: unknown): string {
  return typeof code === 'number' && STATUS[code] !== undefined ? STATUS[code]! : 'UNKNOWN';
}

/** `/package.Service/Method` → `package.Service.method` (the Java agent's name); other text as is. */
export function operationOf(path: string): string {
  const m = /^\/?([^/]+)\/([^/]+)$/.exec(path);
  if (!m) return path;
  const method = m[2]!;
  return `${m[1]}.${method.charAt(0).toLowerCase()}${method.slice(1)}`;
}

/** Whether `path` is one of SkyWalking's own services. */
export const isOwnService = (path: string): boolean => path.startsWith('/skywalking.v3.');

/**
 * A channel target as `host:port`: without the `dns:`/`ipv4:`/`ipv6:` scheme and the
 * `//authority/` part; the first address of a list; gRPC's default port 443 when none.
 */
export function peerOfTarget(target: string): string {
  let t = target;
  const scheme = /^(dns|ipv4|ipv6):/i.exec(t);
  if (scheme) {
    t = t.slice(scheme[0].length);
    if (t.startsWith('//')) t = t.slice(t.indexOf('/', 2) + 1);
    t = t.split(',')[0]!;
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) {
    return t;
  }
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (bracket) return hostPort(bracket[1]!, bracket[2] ?? '443');
  const colons = t.split(':').length - 1;
  if (colons === 1) return t;
  // A bare IPv6 address (several colons) has no port.
  return colons > 1 ? hostPort(t, '443') : `${t}:443`;
}

interface GrpcMetadata {
  get(key: string): unknown[];
  set(key: string, value: string): void;
  clone(): GrpcMetadata;
}

interface Emitter {
  on(event: string, listener: (...args: never[]) => void): unknown;
  once(event: string, listener: (...args: never[]) => void): unknown;
  emit: AnyFunction;
}

// Targets seen per channel object: getTarget() builds a string each time.
const targets = new WeakMap<object, string>();
function peerOfChannel(channel: GrpcChannel): string {
  let peer = targets.get(channel);
  if (peer === undefined) {
    peer = peerOfTarget(String(channel.getTarget?.() ?? ''));
    targets.set(channel, peer);
  }
  return peer;
}

/** Runs every event listener of `emitter` (this one instance) inside `trace`: grpc-js emits them from HTTP/2 callbacks. */
function emitInside(emitter: Emitter, trace: ActiveTrace | undefined): void {
  if (!trace) return;
  const emit = emitter.emit;
  emitter.emit = function (this: unknown) {
    return traceStorage.run(trace, Reflect.apply, emit, this, arguments);
  };
}

/** Ends `span` once with `code`'s status; a status other than OK marks an error (the given error, else one made of the status). */
function finisher(span: Span): (code: unknown, details?: unknown, err?: unknown) => void {
  let done = false;
  return (code, details, err) => {
    if (done) return;
    done = true;
    const name = statusName(code);
    span.tag('rpc.status_code', name);
    if (name !== 'OK') span.error(err ?? { name: 'Error', message: `${typeof code === 'number' ? code : 2} ${name}: ${typeof details === 'string' ? details : ''}` });
    span.end();
  };
}

interface GrpcChannel {
  getTarget?(): string;
}

interface CallListener {
  onReceiveMetadata?(metadata: unknown): void;
  onReceiveMessage?(message: unknown): void;
  onReceiveStatus?(status: { code?: unknown; details?: unknown }): void;
}

interface ChannelCall {
  start(metadata: GrpcMetadata, listener: CallListener): void;
}

/** Calls `fn` of `listener` inside the caller's flow (grpc-js calls the listener from HTTP/2 callbacks). */
function relay(listener: CallListener, name: keyof CallListener, store: ActiveTrace | undefined, value: unknown): void {
  const fn = listener[name] as AnyFunction | undefined;
  if (typeof fn !== 'function') return;
  if (store) traceStorage.run(store, Reflect.apply, fn, listener, [value]);
  else fn.call(listener, value);
}

/**
 * Traces one client call at its start (which make*Request runs synchronously, in the
 * caller's flow): the Exit span, sw8 in a copy of the metadata (the caller may reuse
 * its own), the status when it arrives, and the caller's flow for every callback.
 */
function traceCall(call: ChannelCall, path: string, peer: string, ctx: InstrumentContext): void {
  const start = call.start;
  if (typeof start !== 'function') return;
  call.start = function (this: unknown, metadata: GrpcMetadata, listener: CallListener) {
    let span: Span | undefined;
    let md = metadata;
    let wrapped = listener;
    try {
      span = ctx.exit(operationOf(path), peer, 'RPCFramework', GRPC_COMPONENT);
      if (span) {
        const finish = finisher(span);
        const store = traceStorage.getStore();
        md = metadata.clone();
        (span.owner as TracingContext | undefined)?.inject?.(span, { inject: (k, v) => md.set(k, v) });
        wrapped = {
          onReceiveMetadata: (m) => relay(listener, 'onReceiveMetadata', store, m),
          onReceiveMessage: (m) => relay(listener, 'onReceiveMessage', store, m),
          onReceiveStatus: (status) => {
            finish(status?.code, status?.details);
            relay(listener, 'onReceiveStatus', store, status);
          },
        };
      }
    } catch {
      // tracing must never break the call
      md = metadata;
      wrapped = listener;
    }
    try {
      return start.call(this, md, wrapped);
    } catch (err) {
      span?.error(err);
      span?.end();
      throw err;
    }
  };
}

// Every client call (generated client methods keep their own references to the Client
// methods, so those cannot be patched after grpc-js loaded) creates its call here.
function wrapCreateCall(original: AnyFunction, ctx: InstrumentContext): AnyFunction {
  return function createCall(this: GrpcChannel, method: unknown) {
    const call = original.apply(this, arguments as unknown as unknown[]) as ChannelCall;
    if (typeof method !== 'string' || isOwnService(method) || isSuppressed()) return call;
    try {
      if (call && typeof call === 'object') traceCall(call, method, peerOfChannel(this), ctx);
    } catch {
      // the call goes untraced
    }
    return call;
  };
}

function carrierOf(metadata: GrpcMetadata | undefined): Extractable {
  return {
    extract(key) {
      const v = metadata?.get(key)?.[0];
      if (typeof v === 'string') return v;
      return Buffer.isBuffer(v) ? v.toString('utf8') : undefined;
    },
  };
}

interface ServerCall extends Emitter {
  metadata?: GrpcMetadata;
  pendingStatus?: { code?: unknown; details?: unknown };
  getPeer?(): string;
}

function tracedHandler(handler: AnyFunction, path: string, type: unknown, ctx: InstrumentContext): AnyFunction {
  const operation = operationOf(path);
  const withCallback = type === 'unary' || type === 'clientStream';
  return function (this: unknown, call: ServerCall, callback: unknown) {
    if (isSuppressed() || call === null || typeof call !== 'object') return handler.apply(this, arguments as unknown as unknown[]);
    let span: Span;
    let trace: ActiveTrace;
    const args = Array.prototype.slice.call(arguments) as unknown[];
    try {
      const context = ctx.tracer.createTracingContext();
      span = context.createEntrySpan(operation, null, carrierOf(call.metadata));
      span.setComponent(GRPC_COMPONENT).setLayer('RPCFramework');
      const peer = call.getPeer?.();
      if (typeof peer === 'string' && peer && peer !== 'unknown') span.peer = peer;
      trace = { context, span };
      const finish = finisher(span);
      call.once('cancelled', (() => finish(1, 'Cancelled')) as never);
      if (withCallback && typeof callback === 'function') {
        args[1] = function (this: unknown, err: { code?: unknown; details?: unknown; message?: unknown } | null) {
          // A plain { code, details } (the usual form) gets a message made of the status.
          if (err) finish(typeof err.code === 'number' ? err.code : 2, err.details ?? err.message, err instanceof Error ? err : undefined);
          else finish(0);
          return (callback as AnyFunction).apply(this, arguments as unknown as unknown[]);
        };
      } else if (!withCallback) {
        // A server stream ends at 'finish' with the status it sends (an 'error' event sets it;
        // grpc-js itself listens to 'error', so listening too changes nothing).
        let failure: unknown;
        call.once('error', ((err: unknown) => (failure = err)) as never);
        call.once('finish', (() => finish(call.pendingStatus?.code ?? 0, call.pendingStatus?.details, failure)) as never);
      }
      emitInside(call, trace);
    } catch {
      return handler.apply(this, arguments as unknown as unknown[]);
    }
    try {
      return traceStorage.run(trace, Reflect.apply, handler, this, args) as unknown;
    } catch (err) {
      span.error(err);
      span.end();
      throw err;
    }
  };
}

function wrapRegister(original: AnyFunction, ctx: InstrumentContext): AnyFunction {
  return function register(this: unknown, name: unknown, handler: unknown, _serialize: unknown, _deserialize: unknown, type: unknown) {
    if (typeof name !== 'string' || typeof handler !== 'function' || isOwnService(name)) return original.apply(this, arguments as unknown as unknown[]);
    const args = Array.prototype.slice.call(arguments) as unknown[];
    try {
      args[1] = tracedHandler(handler as AnyFunction, name, type, ctx);
    } catch {
      return original.apply(this, arguments as unknown as unknown[]);
    }
    return original.apply(this, args);
  };
}

/** Patches one loaded copy of @grpc/grpc-js. */
export function patchGrpc(exports: unknown, ctx: InstrumentContext): void {
  const m = exports as { Channel?: { prototype?: object }; Server?: { prototype?: object } } | null;
  ctx.patches.method(m?.Channel?.prototype, 'createCall', (orig) => wrapCreateCall(orig, ctx));
  ctx.patches.method(m?.Server?.prototype, 'register', (orig) => wrapRegister(orig, ctx));
}

/** @grpc/grpc-js: `package.Service.method` Exit (client) and Entry (server) spans; RPCFramework, component 23, `rpc.status_code`. */
export const grpcJs: PatchInstrumentation = {
  name: 'grpc',
  module: '@grpc/grpc-js',
  versions: { from: '1.0.0', below: '2.0.0' },
  kind: 'patch',
  patch: patchGrpc,
  // The copy this package resolves, when already loaded (by the agent's grpc-js reporter, or
  // by the app from the same node_modules before start): never loaded just to be patched.
  own: () => loadedModule('@grpc/grpc-js'),
};
