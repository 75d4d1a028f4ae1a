// Redis 7 from Debian's redis-server package, on a free loopback port, no persistence.
import { freePort } from '../ports.js';
import { hasServer, startInTempDir, startProcess } from './common.js';
import type { TestServer } from './common.js';

const BIN = '/usr/bin/redis-server';

/** Whether Redis can be started here (see hasServer). */
export const hasRedis = (): boolean => hasServer(BIN, 'redis-server');

/** Starts redis-server on 127.0.0.1 with `--save ''` (nothing written to disk). */
export function startRedis(): Promise<TestServer> {
  return startInTempDir('redis', async (dir) => {
    const port = await freePort();
    const server = await startProcess(BIN, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], /Ready to accept connections/);
    return { port, stop: server.stop };
  });
}
