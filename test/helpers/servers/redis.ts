// Redis 7 from Debian's redis-server package, on a free loopback port, no persistence.
import { freePort } from '../ports.js';
import { hasServer, startProcess, tempDir } from './common.js';
import type { TestServer } from './common.js';

const BIN = '/usr/bin/redis-server';

/** Whether Redis can be started here (see hasServer). */
export const hasRedis = (): boolean => hasServer(BIN, 'redis-server');

/** Starts redis-server on 127.0.0.1 with `--save ''` (nothing written to disk). */
export async function startRedis(): Promise<TestServer> {
  const { dir, remove } = tempDir('redis');
  try {
    const port = await freePort();
    const server = await startProcess(BIN, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], /Ready to accept connections/);
    return {
      host: '127.0.0.1',
      port,
      stop: async () => {
        await server.stop().catch(() => {});
        remove();
      },
    };
  } catch (err) {
    remove();
    throw err;
  }
}
