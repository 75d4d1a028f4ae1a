// The names that turn instrumentations off (`disablePlugins`, SW_AGENT_DISABLE_PLUGINS): the
// plugin names skywalking-backend-js users already write (`Http`, `MySQL`, `MySQLPlugin`) and
// plain lower-case library names (`http`, `mysql`, `pg`), both mapped to one canonical name.
import { closest } from '../core/options-check.js';

/**
 * Canonical instrumentation names. {@link INSTRUMENTED} lists those with an instrumentation
 * in this version; the others are accepted now so that a backend-js setting keeps working
 * as database, cache and queue instrumentations arrive (each reads its own name).
 */
export const INSTRUMENTATION_NAMES = [
  'http',
  'fetch',
  'express',
  'fastify',
  'koa',
  'axios',
  'pg',
  'mysql',
  'mysql2',
  'mongodb',
  'mongoose',
  'redis',
  'ioredis',
  'amqplib',
  'kafkajs',
  'grpc-js',
  'pino',
  'winston',
  'bunyan',
  'aws2dynamodb',
  'aws2lambda',
  'aws2sns',
  'aws2sqs',
] as const;

/**
 * The names that have an instrumentation in this version. Each new instrumentation adds its
 * name here and checks `options.disablePlugins.has(name)` before it installs.
 */
export const INSTRUMENTED: ReadonlySet<string> = new Set(['http', 'fetch', 'pg', 'mysql', 'mysql2', 'redis', 'ioredis', 'pino', 'winston', 'bunyan', 'amqplib', 'grpc-js']);

/** A canonical instrumentation name. */
export type InstrumentationName = (typeof INSTRUMENTATION_NAMES)[number];

// Other spellings of the same library (after lower-casing and removing a `Plugin` suffix).
const ALIASES: Readonly<Record<string, InstrumentationName>> = {
  https: 'http',
  'node:http': 'http',
  'node:https': 'http',
  undici: 'fetch',
  '@grpc/grpc-js': 'grpc-js',
  grpc: 'grpc-js',
  'node-redis': 'redis',
  '@redis/client': 'redis',
  kafka: 'kafkajs',
  amqp: 'amqplib',
  postgres: 'pg',
  postgresql: 'pg',
};

/**
 * The canonical name for `name` (`MySQLPlugin` → `mysql`, `HTTPS` → `http`), or undefined
 * when it names no instrumentation.
 */
export function instrumentationName(name: string): InstrumentationName | undefined {
  const n = name.trim().toLowerCase().replace(/plugin$/, '');
  if ((INSTRUMENTATION_NAMES as readonly string[]).includes(n)) return n as InstrumentationName;
  return Object.hasOwn(ALIASES, n) ? ALIASES[n] : undefined;
}

/**
 * The canonical names in `names`; the names that match none are said in one diagnostic,
 * each with the closest known name.
 */
export function disabledInstrumentations(
  names: readonly string[],
  warn: (message: string) => void,
  info: (message: string) => void = () => {},
): ReadonlySet<InstrumentationName> {
  const out = new Set<InstrumentationName>();
  const unknown: string[] = [];
  for (const raw of names.slice(0, 100)) {
    const n = instrumentationName(raw);
    if (n) out.add(n);
    else unknown.push(raw);
  }
  if (unknown.length > 0) {
    const named = unknown.slice(0, 20).map((u) => {
      const near = closest(u.replace(/plugin$/i, ''), INSTRUMENTATION_NAMES);
      return near ? `${JSON.stringify(u)} (did you mean "${near}"?)` : JSON.stringify(u);
    });
    warn(`disablePlugins: no instrumentation is named ${named.join(', ')}; known: ${INSTRUMENTATION_NAMES.join(', ')}`);
  }
  // Not a mistake (a backend-js setting carried over), but worth knowing at info level.
  const absent = [...out].filter((n) => !INSTRUMENTED.has(n));
  if (absent.length > 0) info(`disablePlugins: ${absent.join(', ')} not instrumented in this version; nothing to turn off (http client spans still cover axios)`);
  return out;
}
