// MariaDB 10.11 from Debian's mariadb-server package: mariadb-install-db + mariadbd on a
// free loopback port, data and socket in a temp folder. Passwordless root over TCP.
import { join } from 'node:path';
import { freePort } from '../ports.js';
import { hasServer, run, startInTempDir, startProcess } from './common.js';
import type { TestServer } from './common.js';

const BIN = '/usr/sbin/mariadbd';

/** Whether MariaDB can be started here (see hasServer). */
export const hasMariadb = (): boolean => hasServer(BIN, 'mariadb-server');

export interface MariadbServer extends TestServer {
  readonly user: string;
  readonly database: string;
}

/** Starts MariaDB; user `root` without password, database `test` (created). */
export function startMariadb(): Promise<MariadbServer> {
  return startInTempDir('mariadb', async (dir) => {
    const data = join(dir, 'data');
    const user = process.getuid?.() === 0 ? ['--user=root'] : [];
    await run('/usr/bin/mariadb-install-db', ['--no-defaults', `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...user], { cwd: dir });
    const port = await freePort();
    const server = await startProcess(
      BIN,
      [
        '--no-defaults',
        `--datadir=${data}`,
        `--socket=${join(dir, 'mysqld.sock')}`,
        `--pid-file=${join(dir, 'mysqld.pid')}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        '--skip-name-resolve',
        '--skip-grant-tables',
        '--innodb-flush-log-at-trx-commit=0',
        ...user,
      ],
      /ready for connections/,
      { cwd: dir },
    );
    await run('/usr/bin/mariadb', ['--no-defaults', `--socket=${join(dir, 'mysqld.sock')}`, '-e', 'CREATE DATABASE IF NOT EXISTS test']);
    return { port, user: 'root', database: 'test', stop: server.stop };
  });
}
