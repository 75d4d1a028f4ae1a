// A process whose collector is refusing or hanging exits when its own work is done: the
// reporter's timers and connections never keep it alive, and nothing is thrown. The child
// runs the reporter from source (bundled here to CommonJS with esbuild), so this needs no build.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGrpcCollector } from '../helpers/grpc-collector.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sw-exit-'));
const bundle = join(dir, 'app.cjs');

// The child: reports segments every few ms for a while, awaits a flush with a short
// deadline (as an app's shutdown code would), then simply ends.
// With MODE=agent it is an app started with start() (default deadlines, exit hooks) that
// serves 20 traced requests and closes its server.
const APP = `
import http from 'node:http';
import { createNodeReporter, start, Tracer } from ${JSON.stringify(join(root, 'src/node/index.ts'))};
process.on('unhandledRejection', (e) => { console.log('UNHANDLED', e); process.exitCode = 3; });
process.on('uncaughtException', (e) => { console.log('UNCAUGHT', e); process.exitCode = 4; });
if (process.env.MODE === 'agent') {
  start({ service: 'svc', collector: process.env.COLLECTOR, protocol: process.env.PROTOCOL, grpcClient: process.env.CLIENT, logLevel: 'none', flushIntervalMs: 5 });
  const server = http.createServer((req, res) => res.end('ok'));
  server.listen(0, '127.0.0.1', async () => {
    for (let i = 0; i < 20; i++) await (await fetch('http://127.0.0.1:' + server.address().port + '/x' + i)).text();
    server.close();
    console.log('done');
  });
} else {
const reporter = createNodeReporter({
  service: 'svc', serviceInstance: 'i', collector: process.env.COLLECTOR,
  protocol: process.env.PROTOCOL, grpcClient: process.env.CLIENT,
  flushIntervalMs: 5, sendTimeoutMs: Number(process.env.SEND_TIMEOUT), keepAliveIntervalMs: Number(process.env.KEEPALIVE_MS || 50),
});
const tracer = new Tracer({ service: 'svc', serviceInstance: 'i', reporter });
(async () => {
  for (let i = 0; i < 20; i++) {
    tracer.createTracingContext().createEntrySpan('GET:/x' + i).end();
    await new Promise((r) => setTimeout(r, 10));
  }
  await reporter.flush(Number(process.env.FLUSH_MS || 300));
  console.log('done', JSON.stringify(reporter.stats));
})();
}
`;

let refusedPort = 0;
let hanging: net.Server;
let hangingPort = 0;

beforeAll(async () => {
  writeFileSync(join(dir, 'entry.mjs'), APP);
  await build({ entryPoints: [join(dir, 'entry.mjs')], bundle: true, platform: 'node', format: 'cjs', outfile: bundle, packages: 'external', logLevel: 'silent', absWorkingDir: root });
  const s = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  refusedPort = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  // Accepts connections, reads, never answers: a collector stuck in GC or a black-holing proxy.
  const sockets = new Set<net.Socket>();
  hanging = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.resume();
  });
  hanging.on('close', () => sockets.forEach((s) => s.destroy()));
  await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', () => r()));
  hangingPort = (hanging.address() as AddressInfo).port;
  (hanging as unknown as { sockets: Set<net.Socket> }).sockets = sockets;
});
afterAll(async () => {
  (hanging as unknown as { sockets: Set<net.Socket> }).sockets.forEach((s) => s.destroy());
  await new Promise((r) => hanging.close(r));
  rmSync(dir, { recursive: true, force: true });
});

async function runChild(env: Record<string, string>): Promise<{ code: number | null; out: string; ms: number }> {
  const t0 = Date.now();
  // The CommonJS bundle resolves its packages (@grpc/grpc-js, protobufjs) through NODE_PATH.
  const child = spawn(process.execPath, [bundle], { cwd: root, env: { ...process.env, NODE_PATH: join(root, 'node_modules'), ...env } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('exit', (c) => {
      clearTimeout(kill);
      resolve(c);
    });
  });
  return { code, out, ms: Date.now() - t0 };
}

describe('process exit with a broken collector', () => {
  const cases: Array<[string, Record<string, string>]> = [
    ['gRPC (http2), refusing', { CLIENT: 'http2', PROTOCOL: 'grpc', COLLECTOR: 'refused' }],
    ['gRPC (http2), hanging', { CLIENT: 'http2', PROTOCOL: 'grpc', COLLECTOR: 'hanging' }],
    ['gRPC (grpc-js), refusing', { CLIENT: 'grpc-js', PROTOCOL: 'grpc', COLLECTOR: 'refused' }],
    ['gRPC (grpc-js), hanging', { CLIENT: 'grpc-js', PROTOCOL: 'grpc', COLLECTOR: 'hanging' }],
    ['HTTP, refusing', { CLIENT: 'http2', PROTOCOL: 'http', COLLECTOR: 'refused' }],
    ['HTTP, hanging', { CLIENT: 'http2', PROTOCOL: 'http', COLLECTOR: 'hanging' }],
  ];
  it.each(cases)('%s: exits on its own, cleanly, long before the 30 s send deadline', async (_name, env) => {
    const port = env.COLLECTOR === 'refused' ? refusedPort : hangingPort;
    const { code, out, ms } = await runChild({ ...env, COLLECTOR: `127.0.0.1:${port}`, SEND_TIMEOUT: '30000' });
    expect(out).toContain('done');
    expect(out).not.toMatch(/UNHANDLED|UNCAUGHT/);
    expect(code).toBe(0);
    // Sends are still pending against the 30 s deadline: only unref'd handles remain.
    expect(ms).toBeLessThan(15_000);
  }, 30_000);
});

// An app started with start(): nothing of the agent keeps it up once its server is closed,
// beyond the bounded final flush on beforeExit (2 s), although every send and management
// call is still waiting against the 10 s default deadline of a collector that never answers.
it.each(['http2', 'grpc-js'])('%s client, hanging collector: an app using start() exits on its own well before the send deadline', async (client) => {
  const { code, out, ms } = await runChild({ MODE: 'agent', CLIENT: client, PROTOCOL: 'grpc', COLLECTOR: `127.0.0.1:${hangingPort}` });
  expect(out).toContain('done');
  expect(out).not.toMatch(/UNHANDLED|UNCAUGHT/);
  expect(code).toBe(0);
  expect(ms).toBeLessThan(8_000);
}, 30_000);

// Unref'd connections must not cut an awaited flush short: the flush's own deadline timer
// keeps the process alive until the batch is answered.
it.each(['http2', 'grpc-js'])('%s client, healthy collector: an awaited flush delivers before exit', async (client) => {
  const collector = await startGrpcCollector();
  try {
    const { code, out } = await runChild({ CLIENT: client, PROTOCOL: 'grpc', COLLECTOR: collector.address, SEND_TIMEOUT: '10000', FLUSH_MS: '5000' });
    expect(code).toBe(0);
    expect(out).toContain('"sent":20');
    expect(collector.segments.map((s) => s.spans[0]!.operationName)).toEqual(Array.from({ length: 20 }, (_, i) => `GET:/x${i}`));
  } finally {
    await collector.close();
  }
}, 30_000);
