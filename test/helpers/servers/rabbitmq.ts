// RabbitMQ 3.10 from Debian's rabbitmq-server package: its own node name, AMQP,
// distribution and epmd ports (free loopback ports), data, logs, config and Erlang
// cookie in a temp folder, no plugins. Runs as the current user (root here) with HOME
// set to the temp folder, so the cookie Erlang creates lands there too.
import { writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort } from '../ports.js';
import { hasServer, run, startInTempDir, startProcess } from './common.js';
import type { TestServer } from './common.js';

const SCRIPT = '/usr/lib/rabbitmq/bin/rabbitmq-server';
const EPMD = '/usr/bin/epmd';

/** Whether RabbitMQ can be started here (see hasServer). */
export const hasRabbitMq = (): boolean => hasServer(SCRIPT, 'rabbitmq-server');

/** A running broker; `url` is its AMQP URL (guest/guest, which RabbitMQ allows on loopback). */
export interface RabbitMqServer extends TestServer {
  readonly url: string;
}

/**
 * Starts a RabbitMQ node on 127.0.0.1 and resolves once it accepts AMQP connections.
 * stop() ends the node gracefully (the start script's TERM handler stops beam.smp and
 * waits for it), kills the process group if that hangs, stops the epmd it started and
 * removes the folder.
 */
export function startRabbitMq(): Promise<RabbitMqServer> {
  return startInTempDir('rabbitmq', async (dir) => {
    let epmdPort = 0;
    const stopEpmd = () => run(EPMD, ['-kill'], { env: { ...process.env, ERL_EPMD_PORT: String(epmdPort) } }).catch(() => {});
    try {
      const [port, distPort] = [await freePort(), await freePort()];
      epmdPort = await freePort();
      const plugins = join(dir, 'enabled_plugins');
      writeFileSync(plugins, '[].\n');
      writeFileSync(join(dir, 'rabbitmq.conf'), 'loopback_users = none\n');
      writeFileSync(join(dir, 'rabbitmq-env.conf'), '');
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        HOME: dir,
        RABBITMQ_NODENAME: `swt-${randomBytes(4).toString('hex')}@localhost`,
        RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
        RABBITMQ_NODE_PORT: String(port),
        RABBITMQ_DIST_PORT: String(distPort),
        ERL_EPMD_PORT: String(epmdPort),
        ERL_EPMD_ADDRESS: '127.0.0.1',
        RABBITMQ_ENABLED_PLUGINS_FILE: plugins,
        RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
        RABBITMQ_LOG_BASE: join(dir, 'log'),
        RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
        RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
        RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
        // Log to stdout: its "started TCP listener" line is the readiness signal.
        RABBITMQ_LOGS: '-',
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
      };
      // Its own process group (detached), so a hung node can be killed with everything it started.
      const server = await startProcess(SCRIPT, [], new RegExp(`started TCP listener on 127\\.0\\.0\\.1:${port}\\b`), { env, detached: true }, 30_000);
      const pgid = server.child.pid!;
      return {
        port,
        url: `amqp://guest:guest@127.0.0.1:${port}`,
        stop: async () => {
          const hung = setTimeout(() => killGroup(pgid, 'SIGKILL'), 30_000);
          await server.stop().catch(() => {});
          clearTimeout(hung);
          killGroup(pgid, 'SIGKILL');
          await stopEpmd();
        },
      };
    } catch (err) {
      if (epmdPort) await stopEpmd();
      throw err;
    }
  });
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}
