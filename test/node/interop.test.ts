// One trace across agents: skywalking-backend-js → skywalking-tracing → skywalking-backend-js,
// all reporting to the same gRPC collector. Runs the built package (npm test builds first).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuild } from '../helpers/dist.js';
import { startGrpcCollector, type TestGrpcCollector } from '../helpers/grpc-collector.js';
import { waitFor } from '../helpers/wait.js';

requireBuild('dist/cjs/node/register.js');
let collector: TestGrpcCollector;
const children: ChildProcess[] = [];

async function hop(service: string, agent: 'swjs' | 'ours', next?: string): Promise<string> {
  const child = fork(fileURLToPath(new URL('../fixtures/node/hop.cjs', import.meta.url)), [], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    execArgv: agent === 'ours' ? ['--require', 'skywalking-tracing/node/register'] : [],
    env: {
      ...process.env,
      AGENT: agent,
      SERVICE: service,
      COLLECTOR: collector.address,
      NEXT_URL: next ?? '',
      SW_AGENT_NAME: service,
      SW_AGENT_INSTANCE: service + '-1',
      SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.address,
      SW_AGENT_FLUSH_INTERVAL: '50',
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.push(child);
  const { port } = await new Promise<{ port: number }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { port: number }));
    child.once('exit', (c) => reject(new Error(`${service} exited ${c}`)));
  });
  return `http://127.0.0.1:${port}/hop`;
}

beforeAll(async () => {
  collector = await startGrpcCollector();
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await collector.close();
});

describe('interop with skywalking-backend-js', () => {
  it('keeps one trace with correct references in both directions', async () => {
    const last = await hop('swjs-last', 'swjs');
    const middle = await hop('ours-middle', 'ours', last);
    const first = await hop('swjs-first', 'swjs', middle);
    expect(await (await fetch(first)).text()).toBe('swjs-first>ours-middle>{"leaf":"swjs-last","path":"/hop"}');
    const svc = (name: string) => collector.segments.find((s) => s.service === name);
    await waitFor(() => svc('swjs-first') && svc('ours-middle') && svc('swjs-last'), 20_000, 'segments of swjs-first, ours-middle and swjs-last');
    const a = svc('swjs-first')!;
    const b = svc('ours-middle')!;
    const c = svc('swjs-last')!;
    expect(new Set([a.traceId, b.traceId, c.traceId]).size).toBe(1);

    // Ours continues skywalking-backend-js's trace: the ref points at its exit span.
    const aExit = a.spans.find((s) => s.spanType === 'Exit')!;
    expect(b.spans[0]!.refs[0]).toMatchObject({
      refType: 'CrossProcess',
      parentTraceSegmentId: a.traceSegmentId,
      parentSpanId: aExit.spanId,
      parentService: 'swjs-first',
      networkAddressUsedAtPeer: aExit.peer,
    });
    // skywalking-backend-js continues ours: its ref points at our exit span.
    const bExit = b.spans.find((s) => s.spanType === 'Exit')!;
    expect(bExit.peer).toBe(new URL(last).host);
    expect(c.spans[0]!.refs[0]).toMatchObject({
      parentTraceSegmentId: b.traceSegmentId,
      parentSpanId: bExit.spanId,
      parentService: 'ours-middle',
      parentServiceInstance: 'ours-middle-1',
      networkAddressUsedAtPeer: bExit.peer,
    });
  }, 40_000);
});
