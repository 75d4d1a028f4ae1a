// The `skywalking-tracing collector` command, run as a real process (bundled from source).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const dir = join(process.cwd(), 'test-results', 'cli-bundle');
const cli = join(dir, 'cli.mjs');

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  // Inside the repo so that external packages resolve from its node_modules.
  await build({ entryPoints: ['src/collector/cli.ts'], outfile: cli, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'silent' });
});

function run(args: string[]): { child: ChildProcessWithoutNullStreams; out: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [cli, ...args]);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, exit };
}

describe('collector CLI', () => {
  it('prints help', async () => {
    const r = run(['--help']);
    expect(await r.exit).toBe(0);
    expect(r.out()).toMatch(/Usage: skywalking-tracing collector/);
    expect(r.out()).toMatch(/--grpc-port/);
  });

  it('refuses unknown commands, options and bad ports with exit code 2', async () => {
    for (const args of [
      ['serve'],
      ['collector', '--nope', '1'],
      ['collector', '--__proto__=1'],
      ['collector', '--http-port', 'x'],
      ['collector', '--grpc-port', '70000'],
      ['collector', '--grpc-port='],
      ['collector', '--max-traces', '0'],
      ['collector', '--max-traces', '1.5'],
      ['collector', '--max-bytes', '12x'],
      ['collector', '--max-body-bytes', '-1'],
      [],
    ]) {
      const r = run(args);
      expect(await r.exit, args.join(' ')).toBe(2);
      expect(r.out()).toMatch(/Usage:/);
    }
  });

  it('starts, prints its URLs, serves, and stops on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const r = run(['collector', '--grpc-port', '0', '--http-port=0', '--host', '127.0.0.1']);
      const url = await viewerUrl(r);
      expect(r.out()).toMatch(/gRPC \(agents\):\s+127\.0\.0\.1:\d+/);
      const stats = await (await fetch(url + '/api/stats')).json();
      expect(stats).toMatchObject({ traces: 0, segments: 0 });
      expect((await fetch(url + '/')).headers.get('content-type')).toMatch(/text\/html/);
      r.child.kill(signal);
      expect(await r.exit).toBe(0);
      await expect(fetch(url + '/api/stats')).rejects.toThrow();
    }
  });

  it('takes --max-traces, --max-bytes and --max-body-bytes', async () => {
    const r = run(['collector', '--grpc-port', '0', '--http-port', '0', '--max-traces', '2', '--max-bytes', '1m', '--max-body-bytes=64k']);
    const url = await viewerUrl(r);
    try {
      for (let i = 0; i < 3; i++) {
        const seg = { traceId: `t${i}`, traceSegmentId: `s${i}`, service: 'cli', serviceInstance: 'c1', spans: [] };
        expect((await fetch(url + '/v3/segments', { method: 'POST', body: JSON.stringify([seg]), headers: { 'content-type': 'application/json' } })).status).toBe(200);
      }
      const stats = await (await fetch(url + '/api/stats')).json();
      expect(stats).toMatchObject({ traces: 2, evictedTraces: 1, maxBytes: 1024 * 1024 });
      const big = await fetch(url + '/v3/segments', { method: 'POST', body: `[${' '.repeat(65 * 1024)}]`, headers: { 'content-type': 'application/json' } });
      expect(big.status).toBe(413);
    } finally {
      r.child.kill('SIGTERM');
      await r.exit;
    }
  });

  it('names a busy port and the option that moves it, in one line, with exit code 1', async () => {
    const busy = await listen();
    try {
      const port = (busy.address() as AddressInfo).port;
      for (const [kind, label] of [['grpc', 'gRPC'], ['http', 'HTTP']] as const) {
        const r = run(['collector', `--${kind}-port`, String(port), `--${kind === 'grpc' ? 'http' : 'grpc'}-port`, '0']);
        expect(await r.exit).toBe(1);
        expect(r.out()).toBe(`could not start the collector: ${label} port 127.0.0.1:${port} is already in use; choose another with --${kind}-port (0 picks a free port)\n`);
      }
    } finally {
      busy.close();
    }
  });
});

function listen(): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
}

function viewerUrl(r: ReturnType<typeof run>): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no URL printed: ${r.out()}`)), 10_000);
    r.child.stdout.on('data', () => {
      const m = /trace viewer:\s+(http:\/\/\S+?)\/?\n/.exec(r.out());
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    });
  });
}
