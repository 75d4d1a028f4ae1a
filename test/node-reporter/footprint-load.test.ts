// What importing and starting the Node agent loads. @grpc/grpc-js (~12 MiB RSS, ~40 ms)
// and protobufjs (~9 MiB) are loaded only by what uses them: the grpc-js client and the
// decoding/encoding paths (ingest handler, browser forwarding over gRPC). The child runs the
// agent from source, bundled here with esbuild as ESM and as CommonJS (the lazy loads must
// work in both), with the packages left external, so this needs no build.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
// Inside the repository, so the ESM bundle's bare imports resolve from its node_modules.
mkdirSync(join(root, '.tmp'), { recursive: true });
const dir = mkdtempSync(join(root, '.tmp', 'footprint-'));

// Prints, after each step, which of the lazily loaded modules are in the process.
const APP = `
import { createRequire } from 'node:module';
import * as agentModule from ${JSON.stringify(join(root, 'src/node/index.ts'))};
const probe = (step) => {
  const files = Object.keys(createRequire(${JSON.stringify(join(root, 'package.json'))}).cache);
  const has = (p) => files.some((f) => f.includes('/node_modules/' + p + '/'));
  const natives = process.moduleLoadList;
  console.log(JSON.stringify({ step, grpcJs: has('@grpc/grpc-js'), protobufjs: has('protobufjs'), http2: natives.includes('NativeModule http2') }));
};
probe('import');
(async () => {
const agent = agentModule.start({ service: 'svc', serviceInstance: 'i', collector: '127.0.0.1:1', logLevel: 'none', flushOnExit: false });
probe('start');
const grpcJs = agentModule.createNodeReporter({ service: 'svc', serviceInstance: 'i', collector: '127.0.0.1:1', grpcClient: 'grpc-js', management: false });
probe('grpc-js client');
agent.reporter.forwardBrowserData?.('/browser/perfData', [{ service: 'web', pagePath: '/' }]);
probe('browser forward');
await grpcJs.shutdown(100);
await agent.shutdown(100);
process.exit(0);
})();
`;

type Probe = { step: string; grpcJs: boolean; protobufjs: boolean; http2: boolean };
const bundles: Record<'esm' | 'cjs', string> = { esm: join(dir, 'app.mjs'), cjs: join(dir, 'app.cjs') };

beforeAll(async () => {
  writeFileSync(join(dir, 'entry.mjs'), APP);
  for (const format of ['esm', 'cjs'] as const) {
    await build({ entryPoints: [join(dir, 'entry.mjs')], bundle: true, platform: 'node', format, outfile: bundles[format], packages: 'external', logLevel: 'silent', absWorkingDir: root });
  }
}, 30_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(file: string): Promise<Record<string, Probe>> {
  const child = spawn(process.execPath, [file], { cwd: root, env: { ...process.env, NODE_PATH: join(root, 'node_modules') } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (c) => {
      clearTimeout(kill);
      resolve(c);
    });
  });
  expect(code, out).toBe(0);
  const probes: Record<string, Probe> = {};
  for (const line of out.split('\n')) {
    if (!line.startsWith('{')) continue;
    const p = JSON.parse(line) as Probe;
    probes[p.step] = p;
  }
  return probes;
}

describe.each(['esm', 'cjs'] as const)('modules loaded (%s)', (format) => {
  it('importing loads neither @grpc/grpc-js nor protobufjs nor node:http2; start() loads no grpc-js or protobufjs; their users load them', async () => {
    const p = await run(bundles[format]);
    expect(p.import).toMatchObject({ grpcJs: false, protobufjs: false, http2: false });
    // start(): the default node:http2 client, segments encoded by the core's own writer.
    expect(p.start).toMatchObject({ grpcJs: false, protobufjs: false });
    // The loads still happen where needed (and work in this module format).
    expect(p['grpc-js client']).toMatchObject({ grpcJs: true, protobufjs: false });
    expect(p['browser forward']).toMatchObject({ protobufjs: true });
  }, 30_000);
});
