// OAP's ports mixed up (gRPC on 11800, REST on 12800), against real sockets: the local
// collector serves gRPC on one port and HTTP/1.1 (OAP's REST receivers) on the other.
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type Collector } from '../../src/collector/index.js';
import { createNodeReporter, setDiagLogger, start, Tracer } from '../../src/node/index.js';
import type { NodeReporterOptions } from '../../src/node/index.js';

let collector: Collector;
beforeAll(async () => {
  collector = await startCollector({ grpcPort: 0, httpPort: 0 });
});
afterAll(() => collector.close());

/** The diagnostics of one flush of one segment through a reporter made with `options`. */
async function firstFailure(options: Partial<NodeReporterOptions>): Promise<string[]> {
  const said: string[] = [];
  setDiagLogger({ error: (m) => said.push(m), warn: (m) => said.push(m), info: () => {}, debug: () => {} }, 'warn');
  const reporter = createNodeReporter({ service: 's', serviceInstance: 'i', collector: '', flushIntervalMs: 10, sendTimeoutMs: 3000, ...options });
  try {
    const ctx = new Tracer({ service: 's', serviceInstance: 'i', reporter }).createTracingContext();
    ctx.createEntrySpan('GET:/x').end();
    await reporter.flush(4000);
    return said;
  } finally {
    await reporter.shutdown(500);
    setDiagLogger(undefined, 'none');
  }
}

const sendFailed = (said: string[]) => said.filter((m) => m.includes('sending failed'));

describe('port mix-up hints', () => {
  it.each(['http2', 'grpc-js'] as const)('gRPC (%s) aimed at the REST port says so on the first failure', async (grpcClient) => {
    const said = await firstFailure({ collector: `127.0.0.1:${collector.httpPort}`, grpcClient });
    const failed = sendFailed(said);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatch(/does not answer gRPC: is it OAP's REST port\? OAP serves gRPC on 11800 and REST \(HTTP\/1\.1\) on 12800/);
  });

  it('gRPC answered by an HTTP/2 server that is not gRPC (a plain 404) says so too', async () => {
    const server = http2.createServer((_req, res) => {
      res.statusCode = 404;
      res.end('not here');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const failed = sendFailed(await firstFailure({ collector: `127.0.0.1:${(server.address() as AddressInfo).port}` }));
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatch(/HTTP 404 .*does not answer gRPC/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('HTTP aimed at the gRPC port says so on the first failure', async () => {
    const said = await firstFailure({ collector: `127.0.0.1:${collector.grpcPort}`, protocol: 'http' });
    const failed = sendFailed(said);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatch(/does not answer HTTP\/1\.1: is it OAP's gRPC port\? OAP serves gRPC on 11800 and REST \(HTTP\/1\.1\) on 12800/);
  });

  it.each(['http2', 'grpc-js'] as const)('no hint when nothing listens (%s): that is OAP down, not a port mix-up', async (grpcClient) => {
    const probe = await startCollector({ grpcPort: 0, httpPort: 0 });
    const port = probe.grpcPort;
    await probe.close();
    const failed = sendFailed(await firstFailure({ collector: `127.0.0.1:${port}`, grpcClient }));
    expect(failed).toHaveLength(1);
    expect(failed[0]).not.toContain('11800');
  });

  it('createNodeReporter takes a URL for gRPC apart too', async () => {
    const said = await firstFailure({ collector: `http://127.0.0.1:${collector.grpcPort}` });
    expect(said).toEqual([expect.stringContaining(`gRPC takes host:port, not a URL; using 127.0.0.1:${collector.grpcPort}`)]);
  });

  it('the right ports send without a word', async () => {
    expect(await firstFailure({ collector: collector.grpcAddress })).toEqual([]);
    expect(await firstFailure({ collector: collector.httpUrl, protocol: 'http' })).toEqual([]);
  });

  it('start() with a URL for gRPC says gRPC takes host:port, and reports to the URL\'s host and port', async () => {
    const said: string[] = [];
    const agent = start({
      service: 'url-user',
      collector: `http://127.0.0.1:${collector.grpcPort}/`,
      flushOnExit: false,
      flushIntervalMs: 10,
      instrument: { httpServer: false, httpClient: false, fetch: false },
      logger: { error: (m) => said.push(m), warn: (m) => said.push(m), info: () => {}, debug: () => {} },
    });
    try {
      expect(agent.options.collector).toBe(`127.0.0.1:${collector.grpcPort}`);
      await agent.withSpan('work', () => 1);
      await agent.flush(4000);
      expect(agent.reporter.stats.sent).toBe(1);
      expect(said).toEqual([expect.stringMatching(/gRPC takes host:port, not a URL; using 127\.0\.0\.1:\d+\. OAP serves gRPC on 11800 and REST on 12800/)]);
    } finally {
      await agent.shutdown(1000);
      setDiagLogger(undefined, 'none');
    }
  });
});
