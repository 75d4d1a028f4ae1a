// skywalking-tracing/collector: a local SkyWalking collector with a trace viewer, for
// development, demos and tests. It receives what OAP receives, validates it and shows it.
import { createServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { DEFAULT_MAX_BODY_BYTES, OAP_LIMITS } from '../server/index.js';
import { markUntraced } from '../server/untraced.js';
import { addReceivers } from './grpc-receiver.js';
import { createHttpHandler } from './http-receiver.js';
import { TraceStore } from './store.js';

/** Options of {@link startCollector}. */
export interface CollectorOptions {
  /** gRPC port (OAP's 11800). 0 picks a free port. Default 11800. */
  grpcPort?: number;
  /** HTTP port: gRPC-web, OAP REST receivers, API and viewer (OAP's 12800). 0 picks a free port. Default 12800. */
  httpPort?: number;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** Most traces kept in memory; the oldest are evicted. Default 2000. */
  maxTraces?: number;
  /**
   * Approximate memory budget, in bytes, for everything the collector keeps: traces (string
   * lengths plus a fixed overhead per span, tag, log and reference), their problems and
   * summaries, instances, logs, meters and browser errors; the oldest traces are evicted
   * beyond it. Default 256 MiB.
   */
  maxBytes?: number;
  /** Largest HTTP body accepted (after decompression). Default 4 MiB ({@link DEFAULT_MAX_BODY_BYTES}). */
  maxBodyBytes?: number;
  /** When set, gRPC calls must carry this `authentication` metadata (as OAP checks it). */
  token?: string;
}

/** A running collector. */
export interface Collector {
  readonly grpcPort: number;
  readonly httpPort: number;
  /** `host:port` for agents' gRPC reporters. */
  readonly grpcAddress: string;
  /** Base URL of the HTTP port (viewer at `/`). */
  readonly httpUrl: string;
  readonly store: TraceStore;
  close(): Promise<void>;
}

/** A port the collector could not listen on; `code` is the OS reason (e.g. `EADDRINUSE`). */
export class CollectorListenError extends Error {
  override name = 'CollectorListenError';
  constructor(
    /** Which of the two ports. */
    readonly kind: 'grpc' | 'http',
    readonly host: string,
    readonly port: number,
    readonly code: string,
  ) {
    super(`${kind === 'grpc' ? 'gRPC' : 'HTTP'} port ${host}:${port} ${code === 'EADDRINUSE' ? 'is already in use' : `cannot be used (${code})`}`);
  }
}

/** How long close() lets open calls (an agent's long-lived collect stream) finish before cutting them. */
const CLOSE_GRACE_MS = 2000;

/** Listens on `host:port` with a plain TCP server and closes it again; rejects with the OS error code. */
function probePort(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', (err: NodeJS.ErrnoException) => reject(err));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}

async function bindGrpc(server: grpc.Server, host: string, port: number): Promise<number> {
  // grpc-js reports a busy port only as "No address added" (and logs it to stderr): probe
  // first with a plain socket, which names the reason and keeps that noise away.
  if (port !== 0) {
    try {
      await probePort(host, port);
    } catch (err) {
      throw new CollectorListenError('grpc', host, port, (err as NodeJS.ErrnoException).code ?? String(err));
    }
  }
  return new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(new CollectorListenError('grpc', host, port, err.message)) : resolve(bound),
    ),
  );
}

/**
 * Starts a collector; resolves when both ports listen. Rejects with a
 * {@link CollectorListenError} (after releasing the other port) when a port cannot be bound.
 */
export async function startCollector(options: CollectorOptions = {}): Promise<Collector> {
  const host = options.host ?? '127.0.0.1';
  const store = new TraceStore({ maxTraces: options.maxTraces, maxBytes: options.maxBytes });
  const grpcServer = new grpc.Server({ 'grpc.max_receive_message_length': OAP_LIMITS.grpcMessageBytes });
  addReceivers(grpcServer, store, options.token);
  const grpcPort = await bindGrpc(grpcServer, host, options.grpcPort ?? 11800);
  const httpPortWanted = options.httpPort ?? 12800;
  // An agent in this process (tests, demos) must not trace what the collector receives.
  const http: HttpServer = markUntraced(createServer(createHttpHandler(store, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)));
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', (err: NodeJS.ErrnoException) => reject(new CollectorListenError('http', host, httpPortWanted, err.code ?? err.message)));
      http.listen(httpPortWanted, host, () => resolve());
    });
  } catch (err) {
    grpcServer.forceShutdown();
    throw err;
  }
  const httpPort = (http.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    grpcPort,
    httpPort,
    grpcAddress: `${shown}:${grpcPort}`,
    httpUrl: `http://${shown}:${httpPort}`,
    store,
    async close() {
      http.closeAllConnections?.();
      await Promise.all([
        new Promise<void>((r) => http.close(() => r())),
        new Promise<void>((r) => {
          // tryShutdown waits for every open call; an agent's collect stream may never end.
          const force = setTimeout(() => grpcServer.forceShutdown(), CLOSE_GRACE_MS);
          grpcServer.tryShutdown(() => {
            clearTimeout(force);
            r();
          });
        }),
      ]);
    },
  };
}

export { DEFAULT_MAX_STORE_BYTES, segmentBytes, TraceStore } from './store.js';
export type { InstanceInfo, StoredTrace, TraceStoreOptions } from './store.js';
export type { TraceDetail, TraceProblem, TraceSummary } from './analysis.js';
