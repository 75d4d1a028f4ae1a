// skywalking-tracing/collector: a local SkyWalking collector with a trace viewer, for
// development, demos and tests. It receives what OAP receives, validates it and shows it.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
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
  /** Largest HTTP body accepted. Default 4 MiB. */
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

/** Starts a collector; resolves when both ports listen. */
export async function startCollector(options: CollectorOptions = {}): Promise<Collector> {
  const host = options.host ?? '127.0.0.1';
  const store = new TraceStore({ maxTraces: options.maxTraces });
  const grpcServer = new grpc.Server({ 'grpc.max_receive_message_length': 50 * 1024 * 1024 });
  addReceivers(grpcServer, store, options.token);
  const grpcPort = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync(`${host}:${options.grpcPort ?? 11800}`, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
  );
  const http: HttpServer = createServer(createHttpHandler(store, options.maxBodyBytes ?? 4 * 1024 * 1024));
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.httpPort ?? 12800, host, () => resolve());
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
        new Promise<void>((r) => grpcServer.tryShutdown(() => r())),
      ]);
    },
  };
}

export { TraceStore } from './store.js';
export type { InstanceInfo, StoredTrace, TraceProblem, TraceStoreOptions, TraceSummary } from './store.js';
