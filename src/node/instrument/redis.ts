// node-redis (`redis`, `@redis/client`) ≥ 5.12 publishes `node-redis:command` for every
// command, pipelined ones included: one Exit span per command. A MULTI transaction is
// published only as a whole (`node-redis:batch`, batchMode MULTI): one `Redis/MULTI` span.
import { traceChannel } from './channels.js';
import { redisExit, type RedisCommandMessage, type RedisServer } from './redis-commands.js';
import type { ChannelInstrumentation } from './types.js';

interface NodeRedisBatch extends RedisServer {
  batchMode: unknown;
}

/** node-redis: `Redis/{COMMAND}`, Cache, component 7, peer `host:port`, `cache.*` tags. */
export const redis: ChannelInstrumentation = {
  name: 'redis',
  module: '@redis/client',
  versions: { from: '5.12.0', below: '7.0.0' },
  kind: 'channels',
  channels: ['node-redis:command', 'node-redis:batch'],
  subscribe(ctx) {
    const undo = [
      traceChannel<RedisCommandMessage>('node-redis:command', (m) => redisExit(ctx, String(m.command).toUpperCase(), Array.isArray(m.args) ? m.args.slice(1) : [], m)),
      // A pipeline's batch is not a span: its commands are.
      traceChannel<NodeRedisBatch>('node-redis:batch', (m) => (m.batchMode === 'MULTI' ? redisExit(ctx, 'MULTI', [], m) : undefined)),
    ];
    return () => undo.forEach((u) => u());
  },
};
