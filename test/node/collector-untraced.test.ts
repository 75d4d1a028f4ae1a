// An agent and the local collector in one process (tests, demos): what the collector receives
// is not traced, or every report would come back as a new trace.
import http from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { startCollector, type Collector } from '../../src/collector/index.js';
import { start, type NodeAgent } from '../../src/node/index.js';
import { listen } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait.js';

let agent: NodeAgent | undefined;
let collector: Collector | undefined;
let app: http.Server | undefined;

afterEach(async () => {
  await agent?.shutdown(1000);
  await collector?.close();
  app?.close();
  agent = collector = app = undefined;
});

it('traces the app, not the collector receiving its reports (protocol http)', async () => {
  collector = await startCollector({ grpcPort: 0, httpPort: 0 });
  agent = start({ service: 'app', collector: collector.httpUrl, protocol: 'http', flushOnExit: false, logLevel: 'error', flushIntervalMs: 20, runtimeMetrics: false });
  app = http.createServer((_req, res) => res.end('ok'));
  const port = await listen(app);
  for (let i = 0; i < 3; i++) await fetch(`http://127.0.0.1:${port}/work/${i}`).then((r) => r.text());
  await agent.flush(5000);
  const store = collector.store;
  await waitFor(() => [...store.traces.values()].length >= 3, 10_000, 'three traces of the app');
  // Once more after the first reports landed: a traced collector would now hold their traces too.
  await agent.flush(5000);
  const names = [...store.traces.values()].flatMap((t) => t.segments.flatMap((s) => s.spans.map((sp) => sp.operationName)));
  expect(names.sort()).toEqual(['GET:/work/0', 'GET:/work/1', 'GET:/work/2']);
});
