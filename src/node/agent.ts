import { consoleDiagLogger, diag, NoopReporter, RateLimitingSampler, RatioSampler, setDiagLogger, Tracer } from '../core/index.js';
import type { Reporter, Sampler, Span } from '../core/index.js';
import { guardDiagLogger } from './log/guard.js';
import type { NodeAgent } from './node-agent.js';
import { startTelemetry } from './telemetry.js';
import { parentFor, traceStorage } from './context.js';
import { runToEnd } from './span-run.js';
import { instrumentFetch } from './fetch.js';
import { instrumentHttpClient } from './http-client.js';
import { instrumentHttpServer } from './http-server.js';
import { installInstrumentations } from './instrument/install.js';
import type { NodeAgentOptions, ResolvedOptions } from './options.js';
import { logLevelOf, resolveOptions } from './options.js';
import { createNodeReporter } from './reporter/index.js';
import { withStats, type AgentReporter } from '../core/agent-reporter.js';
import { processState } from './process-state.js';

/** The agent started by {@link start} (from this copy of the package or the other: ESM or CommonJS), if any. */
export function currentAgent(): NodeAgent | undefined {
  return processState.agent;
}

/**
 * Starts tracing this process: incoming and outgoing http/https and global fetch, reported
 * to OAP. Options fall back to SW_AGENT_* environment variables. Calling it again (from
 * this copy of the package or the other one: ESM or CommonJS) returns the running agent.
 * Never throws: bad options get a diagnostic and a default, and an agent that cannot start
 * is replaced by a disabled one (nothing traced, nothing sent) with an error diagnostic.
 */
export function start(options?: NodeAgentOptions | null): NodeAgent {
  const given = typeof options === 'object' && options !== null;
  const user: NodeAgentOptions = given ? options : {};
  const running = processState.agent;
  if (running) {
    if (Object.keys(user).length > 0) {
      // The running agent's diagnostics: this copy's logger may never have been configured.
      (processState.diag ?? diag).once('warn', 'start-twice', 'start() called while an agent is running (the preload, or an earlier start()): its options stay in force, these are ignored');
    }
    return running;
  }
  let resolved: ResolvedOptions | undefined;
  try {
    // Diagnostics first, so what resolveOptions says about bad options is seen.
    // Guarded: a diagnostic written through a bridged logger (or the console) never comes back as a log record.
    setDiagLogger(guardDiagLogger(user.logger ?? consoleDiagLogger), logLevelOf(user, process.env));
    if (!given && options !== undefined) diag.warn(`start() takes an options object, not ${options === null ? 'null' : typeof options}; using the environment and defaults`);
    resolved = resolveOptions(user, process.env);
    // The kill switch means nothing is traced and nothing is sent: no connection to OAP either.
    const reporter = !resolved.enabled ? withStats(new NoopReporter(), 'dropped') : withStats(resolved.reporter ?? oapReporter(resolved));
    return launch(resolved, reporter);
  } catch (err) {
    diag.error('the agent could not start; the app runs untraced (agent disabled)', err);
    const off: ResolvedOptions = { ...(resolved ?? resolveOptions({ service: 'node-service', logLevel: 'none' }, {})), enabled: false };
    return launch(off, withStats(new NoopReporter(), 'dropped'));
  }
}

/** The gRPC/HTTP reporter to OAP for resolved options. */
function oapReporter(resolved: ResolvedOptions): Reporter {
  return createNodeReporter({
    service: resolved.service,
    serviceInstance: resolved.serviceInstance,
    collector: resolved.collector,
    protocol: resolved.protocol,
    authentication: resolved.authentication,
    secure: resolved.secure,
    tls: resolved.tls,
    instanceProperties: resolved.instanceProperties,
    maxQueueSize: resolved.maxBufferSize,
    flushIntervalMs: resolved.flushIntervalMs,
    grpcClient: resolved.grpcClient,
  });
}

/** Builds the agent for resolved options: instrumentation (when enabled), exit hooks, the shared registration. */
function launch(resolved: ResolvedOptions, reporter: AgentReporter): NodeAgent {
  const tracer = new Tracer({
    service: resolved.service,
    serviceInstance: resolved.serviceInstance,
    reporter,
    sampler: sampler(resolved),
    limits: resolved.limits,
  });
  const undo: Array<() => void> = [];
  if (resolved.enabled) {
    const install = (name: string, fn: () => () => void) => {
      try {
        undo.push(fn());
      } catch (err) {
        diag.error(`could not instrument ${name}; it stays untraced`, err);
      }
    };
    if (resolved.instrument.httpServer) install('http server', () => instrumentHttpServer(tracer, resolved));
    if (resolved.instrument.httpClient) install('http client', () => instrumentHttpClient(tracer, resolved));
    if (resolved.instrument.fetch) install('fetch', () => instrumentFetch(tracer, resolved));
    install('libraries', () => installInstrumentations(tracer, resolved));
  } else {
    diag.info('agent disabled (enabled: false or SW_AGENT_DISABLE); nothing is traced');
  }
  const telemetry = startTelemetry(resolved, reporter);
  const removeExitHooks = resolved.flushOnExit && resolved.enabled ? exitHooks(() => Promise.all([reporter.flush(2000), telemetry.flush(2000)]).then(() => {})) : () => {};

  let stopping: Promise<void> | undefined;
  const agent: NodeAgent = {
    tracer,
    reporter,
    options: resolved,
    meter: telemetry.meter,
    log: (level, message, fields) => telemetry.log.log(level, message, fields),
    telemetry,
    flush: (timeoutMs = 5000) => Promise.all([reporter.flush(timeoutMs), telemetry.flush(timeoutMs)]).then(() => {}, () => {}),
    shutdown(timeoutMs = 5000) {
      stopping ??= (async () => {
        for (const u of undo.splice(0).reverse()) {
          try {
            u();
          } catch {
            // keep removing the others
          }
        }
        removeExitHooks();
        if (processState.agent === agent) {
          processState.agent = undefined;
          processState.diag = undefined;
        }
        // Meters and logs first: they send through the reporter's connection.
        await telemetry.shutdown(timeoutMs).catch(() => {});
        await reporter.shutdown(timeoutMs).catch(() => {});
      })();
      return stopping;
    },
    withSpan<T>(operationName: string, fn: (span: Span) => T): T {
      const { context, parent } = parentFor(tracer, traceStorage.getStore());
      const span = context.createLocalSpan(operationName, parent);
      return traceStorage.run({ context, span }, () => runToEnd(span, fn));
    },
    activeSpan: () => traceStorage.getStore()?.span,
    activeContext: () => traceStorage.getStore()?.context,
  };
  processState.agent = agent;
  processState.diag = diag;
  return agent;
}

function sampler(o: ResolvedOptions): Sampler | undefined {
  const ratio = o.sampleRate < 1 ? new RatioSampler(o.sampleRate) : undefined;
  const rate = o.samplesPerSecond > 0 ? new RateLimitingSampler(o.samplesPerSecond) : undefined;
  if (ratio && rate) return { shouldSample: () => ratio.shouldSample() && rate.shouldSample() };
  return ratio ?? rate;
}

/**
 * Best-effort final flush when the process is asked to stop. A signal listener would
 * cancel Node's default exit, so when the app has no handler of its own we re-raise the
 * signal after flushing; when it has one, it decides when to exit.
 */
function exitHooks(flush: () => Promise<void>): () => void {
  let flushed = false;
  const onBeforeExit = () => {
    if (flushed) return;
    flushed = true;
    void flush();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    const others = process.listenerCount(signal) > 1;
    void flush().finally(() => {
      if (others) return;
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    });
  };
  process.on('beforeExit', onBeforeExit);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.removeListener('beforeExit', onBeforeExit);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };
}
