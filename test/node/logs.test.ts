// Logs end to end: real pino, winston and bunyan (hooked with no code change) and
// agent.log, inside traced HTTP requests, over real gRPC LogReportService/collect to the
// local collector. Every log's trace context must name a span that was reported.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { start } from '../../src/node/index.js';
import type { NodeAgent, NodeAgentOptions } from '../../src/node/index.js';
import { startCollector, type Collector } from '../../src/collector/index.js';
import type { DiagLogger } from '../../src/core/index.js';
import type pinoLib from 'pino';
import type * as winstonLib from 'winston';
import { requireLib } from './instrument/harness.js';
import { waitFor } from '../helpers/wait.js';

let agent: NodeAgent | undefined;
let collector: Collector | undefined;
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  await agent?.shutdown(1000);
  agent = undefined;
  await collector?.close();
  collector = undefined;
});

type StoredLog = {
  service: string;
  serviceInstance: string;
  endpoint: string;
  body: { type: string; text?: { text: string }; json?: { json: string } };
  traceContext?: { traceId: string; traceSegmentId: string; spanId: number };
  tags: { data: Array<{ key: string; value: string }> };
};
const tags = (l: StoredLog) => Object.fromEntries(l.tags.data.map((d) => [d.key, d.value]));
const bodyText = (l: StoredLog) => l.body.text?.text ?? l.body.json?.json ?? '';

async function setup(options: NodeAgentOptions = {}): Promise<{ a: NodeAgent; c: Collector }> {
  collector = await startCollector({ grpcPort: 0, httpPort: 0 });
  agent = start({ service: 'log-svc', serviceInstance: 'log-1', collector: collector.grpcAddress, flushOnExit: false, runtimeMetrics: false, flushIntervalMs: 50, logLevel: 'error', ...options });
  return { a: agent, c: collector };
}

/** A traced HTTP server running `handler` per request; returns a function that calls it. */
async function tracedServer(handler: (path: string) => void): Promise<(path: string) => Promise<void>> {
  const server = http.createServer((req, res) => {
    handler(req.url ?? '/');
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise((r) => server.close(r)));
  const port = (server.address() as AddressInfo).port;
  return async (path) => {
    await new Promise<void>((resolve, reject) => http.get({ port, path, host: '127.0.0.1' }, (res) => res.resume().on('end', resolve)).on('error', reject));
  };
}

/** Every log's trace context names a reported span of a reported segment. */
function expectLinked(c: Collector, logs: StoredLog[]): void {
  for (const l of logs) {
    const tc = l.traceContext!;
    expect(tc, bodyText(l)).toBeDefined();
    const seg = c.store.traces.get(tc.traceId)?.segments.find((s) => s.traceSegmentId === tc.traceSegmentId);
    expect(seg, `segment of "${bodyText(l)}"`).toBeDefined();
    expect(seg!.spans.some((s) => s.spanId === tc.spanId)).toBe(true);
    expect(l.endpoint).toBe((seg!.spans.find((s) => s.spanType === "Entry") ?? seg!.spans.find((s) => s.parentSpanId === -1))!.operationName);
  }
}

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

describe('log bridges over gRPC', () => {
  it('pino, winston, bunyan and agent.log: threshold, level and logger tags, bodies, trace context', async () => {
    const { a, c } = await setup();
    const pino = requireLib('pino') as typeof pinoLib;
    const winston = requireLib('winston') as typeof winstonLib;
    // bunyan ships no types.
    const bunyan = requireLib('bunyan') as { createLogger(o: object): Record<'trace' | 'debug' | 'info' | 'warn' | 'error', (msg: string) => void> };
    const p = pino({ name: 'orders' }, sink());
    const w = winston.createLogger({ level: 'debug', transports: [new winston.transports.Stream({ stream: sink() })] });
    const b = bunyan.createLogger({ name: 'billing', streams: [{ stream: sink(), level: 'trace' }] });
    const call = await tracedServer((path) => {
      p.info('pino info is below the default threshold');
      p.warn({ orderId: 7 }, `pino warn ${path}`);
      w.info('winston info is below the threshold');
      w.error(`winston error ${path}`, { code: 'E1' });
      b.debug('bunyan debug is below the threshold');
      b.error(`bunyan error ${path}`);
      a.log('warn', `agent warn ${path}`);
      p.child({ name: 'orders-child' }).fatal(new Error(`pino fatal ${path}`));
    });
    await call('/one');
    await call('/two');
    // Outside any trace: reported without a trace context.
    p.error('no trace here');
    await waitFor(() => c.store.traces.size >= 2, 5000);
    await a.flush();
    await waitFor(() => c.store.logs.length >= 11, 5000);
    const logs = c.store.logs as StoredLog[];
    expect(logs.length).toBe(11);
    const byText = (t: string) => logs.find((l) => bodyText(l).includes(t))!;
    expect(tags(byText('pino warn /one'))).toEqual({ level: 'WARN', logger: 'orders' });
    expect(JSON.parse(bodyText(byText('pino warn /one')))).toMatchObject({ message: 'pino warn /one', orderId: 7 });
    expect(tags(byText('winston error /one'))).toEqual({ level: 'ERROR', logger: 'winston' });
    expect(JSON.parse(bodyText(byText('winston error /one')))).toMatchObject({ code: 'E1' });
    expect(tags(byText('bunyan error /two'))).toEqual({ level: 'ERROR', logger: 'billing' });
    expect(byText('bunyan error /two').body).toMatchObject({ type: 'text', text: { text: 'bunyan error /two' } });
    expect(tags(byText('agent warn /two'))).toEqual({ level: 'WARN' });
    expect(tags(byText('pino fatal /one'))).toEqual({ level: 'FATAL', logger: 'orders-child' });
    expect(logs.every((l) => l.service === 'log-svc' && l.serviceInstance === 'log-1')).toBe(true);
    expect(logs.some((l) => bodyText(l).includes('below'))).toBe(false);
    const outside = byText('no trace here');
    expect(outside.traceContext).toBeFalsy();
    const traced = logs.filter((l) => l !== outside);
    expect(traced).toHaveLength(10);
    expectLinked(c, traced);
    // The two requests are two traces.
    expect(new Set(traced.map((l) => l.traceContext!.traceId)).size).toBe(2);
  });

  it('logTraceIds writes trace_id, segment_id and span_id into the records themselves', async () => {
    const { a } = await setup({ logTraceIds: true, logReporterLevel: 'off' });
    const lines: string[] = [];
    const into = new Writable({ write: (ch, _e, cb) => (lines.push(String(ch)), cb()) });
    const pino = requireLib('pino') as typeof pinoLib;
    const p = pino({}, into);
    a.withSpan('work', (span) => {
      p.info({ k: 1 }, 'hello');
      const rec = JSON.parse(lines[0]!);
      expect(rec).toMatchObject({ k: 1, msg: 'hello', trace_id: a.activeContext()!.traceId, span_id: span.spanId });
      expect(rec.segment_id).toBe(a.activeContext()!.segmentId);
    });
  });

  it('console is opt-in; the agent\'s own diagnostics never come back as log records', async () => {
    const seen: string[] = [];
    // A user logger for diagnostics that writes through a bridged pino logger.
    // Filled in after start: the logger exists before the pino logger it writes through.
    const late: { p?: ReturnType<typeof pinoLib> } = {};
    const logger: DiagLogger = { error: (m) => late.p?.error(m), warn: (m) => (seen.push(m), late.p?.warn(m)), info: (m) => late.p?.info(m), debug: (m) => late.p?.debug(m) };
    const { a, c } = await setup({ logConsole: true, logger, logLevel: 'warn' });
    // Required after start: hooked.
    const p = (late.p = (requireLib('pino') as typeof pinoLib)({}, sink()));
    p.warn('a pino line');
    // A diagnostic after start, written through the bridged pino logger: not reported.
    a.meter.counter('bad.name');
    console.warn('console warn line', 42);
    console.info('console info is below the threshold');
    await a.flush();
    await waitFor(() => c.store.logs.length >= 2, 5000);
    const logs = c.store.logs as StoredLog[];
    expect(seen.some((m) => m.includes('bad.name'))).toBe(true);
    expect(logs.map(bodyText)).toEqual(['a pino line', 'console warn line 42']);
    expect(tags(logs[1]!)).toEqual({ level: 'WARN', logger: 'console' });
    await a.shutdown();
    agent = undefined;
  });
});

describe('protocol http', () => {
  it('POSTs logs to /v3/logs as a JSON array; meters stay off', async () => {
    collector = await startCollector({ grpcPort: 0, httpPort: 0 });
    // The collector runs in this process: its own receiving of the agent's POSTs stays untraced.
    agent = start({ service: 'http-logs', serviceInstance: 'h-1', collector: collector.httpUrl, protocol: 'http', flushOnExit: false, logLevel: 'error', flushIntervalMs: 50 });
    const a = agent;
    a.withSpan('job', () => a.log('error', 'over REST', { attempt: 2 }));
    await a.flush();
    const c = collector;
    await waitFor(() => c.store.logs.length >= 1, 5000);
    const [l] = c.store.logs as StoredLog[];
    await waitFor(() => c.store.traces.has(l!.traceContext!.traceId), 5000);
    expect(l).toMatchObject({ service: 'http-logs', serviceInstance: 'h-1', tags: { data: [{ key: 'level', value: 'ERROR' }] } });
    expect(JSON.parse(bodyText(l!))).toEqual({ message: 'over REST', attempt: 2 });
    expectLinked(c, [l!]);
  });
});
