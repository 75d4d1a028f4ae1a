// node-redis (`redis`, `@redis/client`) ≥ 5.12 publishes `node-redis:command` for every
// command, those of pipelines and MULTI included: one Exit span per command.
import { traceChannel } from './channels.js';
import { peerOf } from './exit.js';
import { REDIS_COMPONENT, tagRedis } from './redis-commands.js';
import type { ChannelInstrumentation } from './types.js';

interface NodeRedisCommand {
  command: string;
  /** The command name first, then its (sanitised) arguments. */
  args: unknown[];
  serverAddress: unknown;
  serverPort: unknown;
}

/** node-redis: `Redis/{COMMAND}`, Cache, component 7, peer `host:port`, `cache.*` tags. */
export const redis: ChannelInstrumentation = {
  name: 'redis',
  module: '@redis/client',
  versions: { from: '5.12.0', below: '7.0.0' },
  kind: 'channels',
  channels: ['node-redis:command'],
  subscribe: (ctx) =>
    traceChannel<NodeRedisCommand>('node-redis:command', (m) => {
      const command = String(m.command).toUpperCase();
      const span = ctx.exit(`Redis/${command}`, peerOf(m.serverAddress, m.serverPort), 'Cache', REDIS_COMPONENT);
      if (span) tagRedis(span, { command, args: Array.isArray(m.args) ? m.args.slice(1) : [], serverAddress: m.serverAddress, serverPort: m.serverPort });
      return span;
    }),
};
