// What importing and starting the Node agent loads. @grpc/grpc-js (~12 MiB RSS, ~40 ms)
// and protobufjs (~9 MiB) are loaded only by what uses them: the grpc-js client and the
// decoding/encoding paths (ingest handler, browser forwarding over gRPC). Neither does the
// import load the module hooks (require-in-the-middle, import-in-the-middle: start()
// installing the instrumentations does; imported statically from ESM, a CommonJS package
// also makes Node load its CommonJS lexer), node:zlib (the first compressed body does),
// node:perf_hooks / node:v8 (the runtime meters do) or node:worker_threads. The child runs the
// agent from source, bundled here with esbuild as ESM and as CommonJS (the lazy loads must
// work in both), with the packages left external, so this needs no build.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
import { request, createServer } from 'node:http';
import * as agentModule from ${JSON.stringify(join(root, 'src/node/index.ts'))};
const probe = (step) => {
  const files = Object.keys(createRequire(${JSON.stringify(join(root, 'package.json'))}).cache);
  const has = (p) => files.some((f) => f.includes('/node_modules/' + p + '/'));
  const native = (n) => process.moduleLoadList.includes('NativeModule ' + n);
  console.log(JSON.stringify({
    step, grpcJs: has('@grpc/grpc-js'), protobufjs: has('protobufjs'), http2: native('http2'),
    ritm: has('require-in-the-middle'), iitm: has('import-in-the-middle'), cjsLexer: native('internal/deps/cjs-module-lexer/lexer'),
    zlib: native('zlib'), perfHooks: native('perf_hooks'), v8: native('v8'), workerThreads: native('worker_threads'),
  }));
};
probe('import');
(async () => {
const agent = agentModule.start({ service: 'svc', serviceInstance: 'i', collector: '127.0.0.1:1', logLevel: 'none', flushOnExit: false });
probe('start');
// A gzip body at the ingest handler: the first compressed body loads node:zlib.
const server = createServer(agentModule.createIngestHandler({ reporter: new agentModule.InMemoryReporter() }));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const gzipped = Buffer.from('1f8b08000000000000038b8e050029bb4c0d02000000', 'hex'); // gzip of '[]'
await new Promise((resolve, reject) => {
  const req = request({ host: '127.0.0.1', port: server.address().port, path: '/skywalking/v3/segments', method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }, (res) => { res.resume(); res.on('end', resolve); });
  req.on('error', reject);
  req.end(gzipped);
});
server.close();
probe('compressed body');
const grpcJs = agentModule.createNodeReporter({ service: 'svc', serviceInstance: 'i', collector: '127.0.0.1:1', grpcClient: 'grpc-js', management: false });
probe('grpc-js client');
agent.reporter.forwardBrowserData?.('/browser/perfData', [{ service: 'web', pagePath: '/' }]);
probe('browser forward');
await grpcJs.shutdown(100);
await agent.shutdown(100);
process.exit(0);
})();
`;

type Probe = {
  step: string;
  grpcJs: boolean;
  protobufjs: boolean;
  http2: boolean;
  ritm: boolean;
  iitm: boolean;
  cjsLexer: boolean;
  zlib: boolean;
  perfHooks: boolean;
  v8: boolean;
  workerThreads: boolean;
};
const bundles: Record<'esm' | 'cjs', string> = { esm: join(dir, 'app.mjs'), cjs: join(dir, 'app.cjs') };
// The --import preload, and a folder with no node_modules above it (no hooked library).
const preload = join(dir, 'register.mjs');
const outside = mkdtempSync(join(tmpdir(), 'footprint-'));

beforeAll(async () => {
  writeFileSync(join(dir, 'entry.mjs'), APP);
  for (const format of ['esm', 'cjs'] as const) {
    await build({ entryPoints: [join(dir, 'entry.mjs')], bundle: true, platform: 'node', format, outfile: bundles[format], packages: 'external', logLevel: 'silent', absWorkingDir: root });
  }
  await build({ entryPoints: [join(root, 'src/node/register.ts')], bundle: true, platform: 'node', format: 'esm', outfile: preload, packages: 'external', logLevel: 'silent', absWorkingDir: root });
}, 30_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

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

  it('importing loads no module hooks, no CommonJS lexer, no zlib, perf_hooks, v8 or worker_threads; start() and a compressed body load what they use', async () => {
    const p = await run(bundles[format]);
    expect(p.import).toMatchObject({ ritm: false, iitm: false, cjsLexer: false, zlib: false, perfHooks: false, v8: false, workerThreads: false });
    // start(): the instrumentations' CommonJS hook and the runtime meters. No ESM loader was
    // registered (no --import preload), so no import-in-the-middle and no loader thread.
    expect(p.start).toMatchObject({ ritm: true, iitm: false, cjsLexer: false, zlib: false, perfHooks: true, v8: true, workerThreads: false });
    expect(p['compressed body']).toMatchObject({ zlib: true });
  }, 30_000);
});

// import-in-the-middle's loader runs in a thread of its own (~11 MiB RSS): the preload's
// start() registers it only when a library it hooks is installed where the app imports from.
describe('the --import preload', () => {
  const loaderRegistered = async (app: string, cwd: string): Promise<boolean> => {
    writeFileSync(app, "console.log(JSON.stringify({ hooks: process.moduleLoadList.includes('NativeModule internal/modules/esm/hooks') }));\n");
    const child = spawn(process.execPath, ['--import', preload, app], {
      cwd,
      env: { ...process.env, SW_AGENT_NAME: 'svc', SW_AGENT_COLLECTOR_BACKEND_SERVICES: '127.0.0.1:1', SW_AGENT_LOGGING_LEVEL: 'none', SW_AGENT_RUNTIME_METRICS: 'false' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, out).toBe(0);
    const line = out.split('\n').find((l) => l.startsWith('{'));
    expect(line, out).toBeDefined();
    return (JSON.parse(line!) as { hooks: boolean }).hooks;
  };

  it('registers no ESM loader when none of the hooked libraries is installed', async () => {
    expect(await loaderRegistered(join(outside, 'app.mjs'), outside)).toBe(false);
  }, 30_000);

  it('registers it when one is (pg, in this repository)', async () => {
    expect(await loaderRegistered(join(dir, 'pg-app.mjs'), root)).toBe(true);
  }, 30_000);
});
