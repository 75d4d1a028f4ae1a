// Loopback ports for tests: a free one to listen on, a closed one to be refused by.
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

/** A port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** A port on 127.0.0.1 where nothing listens: connecting is refused at once. */
export const closedPort = freePort;

/** The port a listening server was given. */
export function portOf(server: { address(): AddressInfo | string | null }): number {
  return (server.address() as AddressInfo).port;
}

/** Listens on 127.0.0.1 with a free port and resolves with it. */
export async function listen(server: net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return portOf(server);
}
