// PostgreSQL 15 from Debian's postgresql package: initdb + postgres on a free loopback
// port, data in a temp folder. PostgreSQL refuses to run as root: as root, both run as
// the `postgres` user (spawn's uid/gid) in a folder chowned to it.
import { execFileSync } from 'node:child_process';
import { chownSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../ports.js';
import { hasServer, run, startInTempDir, startProcess } from './common.js';
import type { TestServer } from './common.js';

const BIN = '/usr/lib/postgresql/15/bin';

/** Whether PostgreSQL can be started here (see hasServer). */
export const hasPostgres = (): boolean => hasServer(`${BIN}/postgres`, 'postgresql');

export interface PostgresServer extends TestServer {
  readonly user: string;
  readonly database: string;
}

/** Starts PostgreSQL with trust authentication; user `postgres`, database `postgres`. */
export function startPostgres(): Promise<PostgresServer> {
  return startInTempDir('pg', async (dir) => {
    const ids: { uid?: number; gid?: number } = {};
    if (process.getuid?.() === 0) {
      ids.uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      ids.gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(dir, ids.uid, ids.gid);
    }
    const data = join(dir, 'data');
    await run(`${BIN}/initdb`, ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'], { ...ids, cwd: dir });
    const port = await freePort();
    const server = await startProcess(
      `${BIN}/postgres`,
      ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'full_page_writes=off'],
      /database system is ready to accept connections/,
      { ...ids, cwd: dir },
    );
    return { port, user: 'postgres', database: 'postgres', stop: server.stop };
  });
}
