// The usual first mistake with OAP is the port: gRPC is served on 11800, REST on 12800. Aimed
// at the wrong one, each protocol fails with an error that does not say so (`Protocol error`,
// `Parse Error: Expected HTTP/`, or grpc-js's bare "cannot connect"). These helpers add the
// likely cause to the error, so the reporter's first failure diagnostic names it.
import net from 'node:net';
import { TransportError } from '../../core/index.js';
import type { GrpcCaller } from './grpc-caller.js';

const PORTS = 'OAP serves gRPC on 11800 and REST (HTTP/1.1) on 12800';

/** The hint for a gRPC call answered by something that does not speak gRPC. */
export function grpcPortHint(address: string): string {
  return ` (${address} does not answer gRPC: is it OAP's REST port? ${PORTS}; set protocol: 'http' for REST)`;
}

/** The hint for an HTTP request answered by something that does not speak HTTP/1.1. */
export function httpPortHint(origin: string): string {
  return ` (${origin} does not answer HTTP/1.1: is it OAP's gRPC port? ${PORTS}; protocol: 'grpc' takes host:port)`;
}

/** True for Node's HTTP parser errors: the peer answered with something that is not HTTP/1.x. */
export function isHttpParseError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('HPE_');
}

/**
 * `caller` with the port hint added to failures that mean the peer is no gRPC server: an
 * HTTP/2 protocol error (an HTTP/1 server such as OAP's REST port), a plain HTTP status
 * instead of a gRPC one, or, for grpc-js, which reports only "cannot connect", a connection
 * refused at the gRPC level while the port accepts TCP (one probe, the first time).
 */
export function withPortHint(caller: GrpcCaller, address: string): GrpcCaller {
  let acceptsTcp: Promise<boolean> | undefined;
  const explain = async (err: unknown): Promise<unknown> => {
    if (!(err instanceof TransportError)) return err;
    const cause = (err as { cause?: { code?: unknown } }).cause;
    let notGrpc = /Protocol error|: HTTP \d{3}\b/.test(err.message) || cause?.code === 'ERR_HTTP2_ERROR';
    if (!notGrpc && /cannot connect to the collector/.test(err.message)) notGrpc = await (acceptsTcp ??= probeTcp(address, 1000));
    return notGrpc ? new TransportError(err.message + grpcPortHint(address), err.retryable, { cause: err }) : err;
  };
  return {
    call: (path, messages, options) =>
      caller.call(path, messages, options).catch(async (err: unknown) => {
        throw await explain(err);
      }),
    close: () => caller.close(),
  };
}

/** Whether `host:port` accepts a TCP connection within `ms`. Never rejects; keeps no process alive. */
export function probeTcp(address: string, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(`tcp://${address}`);
    } catch {
      return resolve(false);
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const socket = net.connect({ host, port: Number(url.port) || 80 });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    timer.unref();
    socket.unref();
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
