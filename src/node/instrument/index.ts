// Every library instrumentation, in one list: adding a library is adding its file here.
import { bunyan } from './bunyan.js';
import { amqplibCallback, amqplibPromise } from './amqplib.js';
import { grpcJs } from './grpc-js.js';
import { ioredis } from './ioredis.js';
import { mysql } from './mysql.js';
import { mysql2 } from './mysql2.js';
import { pg } from './pg.js';
import { pino } from './pino.js';
import { redis } from './redis.js';
import type { Instrumentation } from './types.js';
import { winston } from './winston.js';

/** The library instrumentations the agent installs (each can be turned off by its `instrument` key). */
export const INSTRUMENTATIONS: readonly Instrumentation[] = [pg, mysql, mysql2, ioredis, redis, amqplibPromise, amqplibCallback, grpcJs, pino, winston, bunyan];
