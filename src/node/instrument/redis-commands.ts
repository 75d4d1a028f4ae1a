// The command span both Redis clients (ioredis, node-redis) open, and its conventions.
// OAP's cache views need `cache.type` and `cache.op` exactly `read` or `write`; commands
// in neither list (PING, MULTI, EVAL, …) get no `cache.op` and no `cache.key`.
import type { Span } from '../../core/index.js';
import { peerOf } from './exit.js';
import type { InstrumentContext } from './types.js';

/** OAP's component id for Redis (component-libraries.yml). */
const REDIS_COMPONENT = 7;

const READ = new Set(
  ('GET GETRANGE GETBIT MGET STRLEN EXISTS TYPE TTL PTTL SCAN KEYS ' +
    'HGET HMGET HGETALL HKEYS HVALS HLEN HEXISTS HSTRLEN HSCAN HRANDFIELD ' +
    'LINDEX LLEN LRANGE LPOS ' +
    'SCARD SISMEMBER SMISMEMBER SMEMBERS SRANDMEMBER SSCAN SDIFF SINTER SUNION SINTERCARD ' +
    'ZCARD ZCOUNT ZLEXCOUNT ZSCORE ZMSCORE ZRANK ZREVRANK ZRANGE ZRANGEBYLEX ZRANGEBYSCORE ZREVRANGE ZREVRANGEBYLEX ZREVRANGEBYSCORE ZSCAN ZRANDMEMBER ' +
    'XRANGE XREVRANGE XREAD XLEN XINFO PFCOUNT GEOPOS GEODIST GEOHASH GEOSEARCH BITCOUNT BITPOS DUMP OBJECT').split(' '),
);

const WRITE = new Set(
  ('SET SETEX PSETEX SETNX SETRANGE SETBIT MSET MSETNX GETSET GETDEL GETEX APPEND INCR INCRBY INCRBYFLOAT DECR DECRBY ' +
    'DEL UNLINK EXPIRE PEXPIRE EXPIREAT PEXPIREAT PERSIST RENAME RENAMENX RESTORE COPY ' +
    'HSET HSETNX HMSET HDEL HINCRBY HINCRBYFLOAT ' +
    'LPUSH LPUSHX RPUSH RPUSHX LPOP RPOP LSET LREM LTRIM LINSERT LMOVE RPOPLPUSH BLPOP BRPOP BLMOVE BRPOPLPUSH ' +
    'SADD SREM SPOP SMOVE SDIFFSTORE SINTERSTORE SUNIONSTORE ' +
    'ZADD ZINCRBY ZREM ZREMRANGEBYLEX ZREMRANGEBYRANK ZREMRANGEBYSCORE ZPOPMIN ZPOPMAX BZPOPMIN BZPOPMAX ZINTERSTORE ZUNIONSTORE ZDIFFSTORE ZRANGESTORE ' +
    'XADD XDEL XTRIM XACK XCLAIM XAUTOCLAIM PFADD PFMERGE GEOADD GEOSEARCHSTORE').split(' '),
);

/** `read`, `write`, or undefined for commands that are neither (server, connection and transaction commands). */
export function cacheOp(command: string): 'read' | 'write' | undefined {
  return READ.has(command) ? 'read' : WRITE.has(command) ? 'write' : undefined;
}

/** Where a Redis client's channel message says the server is (ioredis:command, node-redis:command, node-redis:batch). */
export interface RedisServer {
  serverAddress: unknown;
  serverPort: unknown;
}

/** A command's channel message, as both clients publish it (ioredis:command, node-redis:command). */
export interface RedisCommandMessage extends RedisServer {
  command: unknown;
  /** The sanitised arguments; node-redis puts the command name first. */
  args: unknown;
}

/**
 * Opens a client's command span: `Redis/{COMMAND}`, Cache, component 7, peer `host:port`;
 * tags `cache.type`, `cache.cmd`, and for data commands `cache.op` and `cache.key` (the
 * first key). `command` is upper-case; `args` are those after the command name (the
 * libraries replace sensitive ones with `?`). Undefined where `ctx.exit` traces nothing.
 */
export function redisExit(ctx: InstrumentContext, command: string, args: readonly unknown[], server: RedisServer): Span | undefined {
  const span = ctx.exit(`Redis/${command}`, peerOf(server.serverAddress, server.serverPort), 'Cache', REDIS_COMPONENT);
  if (!span) return undefined;
  span.tag('cache.type', 'Redis');
  span.tag('cache.cmd', command);
  const op = cacheOp(command);
  if (!op) return span;
  span.tag('cache.op', op);
  const key = args[0];
  // `?` is the libraries' placeholder for an argument they chose not to expose.
  if ((typeof key === 'string' && key !== '?') || typeof key === 'number') span.tag('cache.key', String(key));
  return span;
}
