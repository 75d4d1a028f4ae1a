// The environment the Node agent reads: its own SW_* variables, and every variable
// skywalking-backend-js reads, each either mapped to an option or ignored with the reason.
// Both lists exist so that a variable that does nothing is never silent.
import { reportUnknownKeys } from '../core/options-check.js';

/** Every SW_* variable this agent reads, with the option it sets. */
export const AGENT_ENV: Readonly<Record<string, string>> = {
  SW_AGENT_NAME: 'service',
  SW_AGENT_INSTANCE: 'serviceInstance',
  SW_AGENT_COLLECTOR_BACKEND_SERVICES: 'collector',
  SW_AGENT_PROTOCOL: 'protocol',
  SW_AGENT_AUTHENTICATION: 'authentication',
  SW_AGENT_SECURE: 'secure',
  SW_AGENT_TLS_CA: 'tls.ca',
  SW_AGENT_TLS_CERT: 'tls.cert',
  SW_AGENT_TLS_KEY: 'tls.key',
  SW_AGENT_DISABLE: 'enabled',
  SW_DISABLE: 'enabled',
  SW_AGENT_SAMPLE_RATE: 'sampleRate',
  SW_AGENT_SAMPLES_PER_SECOND: 'samplesPerSecond',
  SW_TRACE_IGNORE_PATH: 'ignorePaths',
  SW_HTTP_IGNORE_METHOD: 'ignoreMethods',
  SW_IGNORE_SUFFIX: 'ignoreSuffixes',
  SW_AGENT_TRACE_WITHOUT_PARENT: 'traceWithoutParent',
  SW_AGENT_ERROR_STATUS: 'errorStatusThreshold',
  SW_AGENT_LOGGING_LEVEL: 'logLevel',
  SW_AGENT_MAX_BUFFER_SIZE: 'maxBufferSize',
  SW_AGENT_FLUSH_INTERVAL: 'flushIntervalMs',
  SW_AGENT_DISABLE_PLUGINS: 'disablePlugins',
  SW_SQL_TRACE_PARAMETERS: 'sqlTraceParameters',
  SW_SQL_PARAMETERS_MAX_LENGTH: 'sqlParametersMaxLength',
};

/**
 * skywalking-backend-js variables this agent does not read, and why (the ones it reads are in
 * {@link AGENT_ENV}). Setting one gets one diagnostic naming all that are set.
 */
export const IGNORED_BACKEND_JS_ENV: Readonly<Record<string, string>> = {
  SW_COLD_ENDPOINT: 'no cold-start marking of the first endpoint',
  SW_AGENT_TRACE_TIMEOUT: 'a segment is reported when its last span ends; there is no trace timeout',
  SW_MONGO_TRACE_PARAMETERS: 'no MongoDB instrumentation',
  SW_MONGO_PARAMETERS_MAX_LENGTH: 'no MongoDB instrumentation',
  SW_AWS_LAMBDA_FLUSH: 'no AWS Lambda instrumentation (call agent.flush() before the handler returns)',
  SW_AWS_LAMBDA_CHAIN: 'no AWS instrumentation',
  SW_AWS_SQS_CHECK_BODY: 'no AWS instrumentation',
  SW_LOGGING_TARGET: 'diagnostics go to the console, or to options.logger',
};

/**
 * One diagnostic naming the skywalking-backend-js variables that are set but mean nothing
 * here, and one naming the other unknown SW_* variables (typos such as `SW_AGENT_NAM`), each
 * with the closest known name. Reads only `env`; never throws.
 */
export function checkEnv(env: Record<string, string | undefined>, warn: (message: string) => void): void {
  const ignored: string[] = [];
  const unknown: Record<string, true> = Object.create(null) as Record<string, true>;
  for (const name of Object.keys(env)) {
    if (!name.startsWith('SW_') || env[name] === undefined || Object.hasOwn(AGENT_ENV, name)) continue;
    if (Object.hasOwn(IGNORED_BACKEND_JS_ENV, name)) ignored.push(`${name} (${IGNORED_BACKEND_JS_ENV[name]})`);
    else unknown[name] = true;
  }
  if (ignored.length > 0) warn(`skywalking-backend-js variables with no meaning here, ignored: ${ignored.join('; ')}`);
  reportUnknownKeys(unknown, [...Object.keys(AGENT_ENV), ...Object.keys(IGNORED_BACKEND_JS_ENV)], 'environment variable', warn);
}
