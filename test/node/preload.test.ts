// `node --import` / `--require skywalking-tracing/node/register`: no code change, configured
// by SW_AGENT_* variables, reporting over gRPC. Runs the BUILT package (npm test builds first).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuild } from '../helpers/dist.js';
import { startGrpcCollector, type TestGrpcCollector } from '../helpers/grpc-collector.js';
import { waitFor } from '../helpers/wait.js';

let collector: TestGrpcCollector;
requireBuild('dist/esm/node/register.js', 'dist/cjs/node/register.js');

beforeAll(async () => {
  collector = await startGrpcCollector({ token: 'tok' });
});
afterAll(() => collector.close());

async function run(file: string, flag: '--import' | '--require', service: string) {
  const child = fork(fileURLToPath(new URL(`../fixtures/node/${file}`, import.meta.url)), [], {
    execArgv: [flag, 'skywalking-tracing/node/register'],
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env: { ...process.env, SW_AGENT_NAME: service, SW_AGENT_INSTANCE: `${service}-1`, SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.address, SW_AGENT_AUTHENTICATION: 'tok', SW_AGENT_FLUSH_INTERVAL: '50' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const { port } = await new Promise<{ port: number }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { port: number }));
      child.once('exit', (c) => reject(new Error(`fixture exited ${c}`)));
    });
    const body = await (await fetch(`http://127.0.0.1:${port}/hello?x=1`)).text();
    await waitFor(() => collector.segments.some((s) => s.service === service && s.spans[0]!.operationName === 'GET:/hello'), 10_000, `the GET:/hello segment of ${service}`);
    return body;
  } finally {
    child.send('exit');
    await new Promise((r) => child.once('exit', r));
  }
}

describe('preload', () => {
  it('traces an ESM app, named imports of node:http included (--import)', async () => {
    expect(await run('app.mjs', '--import', 'esm-app')).toBe('has-sw8');
    const seg = collector.segments.find((s) => s.service === 'esm-app' && s.spans[0]!.operationName === 'GET:/hello')!;
    expect(seg.spans.map((s) => s.spanType)).toEqual(['Entry', 'Exit']);
    expect(collector.segments.some((s) => s.service === 'esm-app' && s.spans[0]!.operationName === 'GET:/down' && s.spans[0]!.refs.length === 1)).toBe(true);
    expect(collector.properties.some((p) => p.service === 'esm-app')).toBe(true);
  });

  it('leaves the app untouched with SW_AGENT_DISABLE=true', async () => {
    const child = fork(fileURLToPath(new URL('../fixtures/node/app.mjs', import.meta.url)), [], {
      execArgv: ['--import', 'skywalking-tracing/node/register'],
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { ...process.env, SW_AGENT_NAME: 'off-app', SW_AGENT_DISABLE: 'true', SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.address },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    try {
      const { port } = await new Promise<{ port: number }>((resolve, reject) => {
        child.once('message', (m) => resolve(m as { port: number }));
        child.once('exit', (c) => reject(new Error(`fixture exited ${c}`)));
      });
      expect(await (await fetch(`http://127.0.0.1:${port}/hello`)).text()).toBe('no-sw8');
    } finally {
      child.send('exit');
      await new Promise((r) => child.once('exit', r));
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(collector.segments.some((s) => s.service === 'off-app')).toBe(false);
    expect(collector.properties.some((p) => p.service === 'off-app')).toBe(false);
  });

  it('shares one agent between the CommonJS preload and an ESM start() (two copies of the package)', async () => {
    const service = 'dual-app';
    const child = fork(fileURLToPath(new URL('../fixtures/node/dual.mjs', import.meta.url)), [], {
      execArgv: ['--require', 'skywalking-tracing/node/register'],
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { ...process.env, SW_AGENT_NAME: service, SW_AGENT_INSTANCE: `${service}-1`, SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.address, SW_AGENT_AUTHENTICATION: 'tok', SW_AGENT_FLUSH_INTERVAL: '50' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let info: { port: number; service: string; same: boolean };
    try {
      info = await new Promise((resolve, reject) => {
        child.once('message', (m) => resolve(m as typeof info));
        child.once('exit', (c) => reject(new Error(`fixture exited ${c}`)));
      });
      expect(await (await fetch(`http://127.0.0.1:${info.port}/hello`)).text()).toBe('has-sw8');
      await waitFor(() => collector.segments.some((s) => s.service === service && s.spans[0]!.operationName === 'GET:/down'), 10_000, `the GET:/down segment of ${service}`);
    } finally {
      child.send('exit');
      await new Promise((r) => child.once('exit', r));
    }
    // start() in the ESM copy returned the preload's agent.
    expect(info).toMatchObject({ service, same: true });
    expect(collector.segments.some((s) => s.service === 'would-be-second-agent')).toBe(false);
    expect(collector.properties.filter((p) => p.service === 'would-be-second-agent')).toEqual([]);
    expect(collector.properties.filter((p) => p.service === service)).toHaveLength(1);
    // One segment for the request, with the ESM user span and a single fetch exit under it.
    const segs = collector.segments.filter((s) => s.service === service && s.spans[0]!.operationName === 'GET:/hello');
    expect(segs).toHaveLength(1);
    const spans = segs[0]!.spans;
    expect(spans.map((s) => [s.spanType, s.operationName, s.parentSpanId])).toEqual([
      ['Entry', 'GET:/hello', -1],
      ['Local', 'esm-span', 0],
      ['Exit', '/down', 1],
    ]);
    const downSeg = collector.segments.find((s) => s.service === service && s.spans[0]!.operationName === 'GET:/down')!;
    expect(downSeg.traceId).toBe(segs[0]!.traceId);
    expect(downSeg.spans[0]!.refs[0]).toMatchObject({ parentTraceSegmentId: segs[0]!.traceSegmentId, parentSpanId: 2 });
  });

  it('traces a CommonJS app and its fetch calls (--require)', async () => {
    expect(await run('app.cjs', '--require', 'cjs-app')).toBe('has-sw8');
    const seg = collector.segments.find((s) => s.service === 'cjs-app' && s.spans[0]!.operationName === 'GET:/hello')!;
    expect(seg.spans[1]).toMatchObject({ spanType: 'Exit', componentId: 2, operationName: '/down' });
  });
});
