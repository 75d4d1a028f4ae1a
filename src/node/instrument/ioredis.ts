// ioredis ≥ 5.11 publishes `ioredis:command` for every command, pipelined and MULTI ones
// included: one Exit span per command. No patch: older versions stay untraced (one diagnostic).
import { traceChannel } from './channels.js';
import { redisExit, type RedisCommandMessage } from './redis-commands.js';
import type { ChannelInstrumentation } from './types.js';

/** ioredis: `Redis/{COMMAND}`, Cache, component 7, peer `host:port`, `cache.*` tags. */
export const ioredis: ChannelInstrumentation = {
  name: 'ioredis',
  module: 'ioredis',
  versions: { from: '5.11.0', below: '7.0.0' },
  kind: 'channels',
  channels: ['ioredis:command'],
  subscribe: (ctx) =>
    traceChannel<RedisCommandMessage>('ioredis:command', (m) => redisExit(ctx, String(m.command).toUpperCase(), Array.isArray(m.args) ? m.args : [], m)),
};
