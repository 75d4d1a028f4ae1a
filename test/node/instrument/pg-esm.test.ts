// pg imported from ESM under `node --import skywalking-tracing/node/register`: the preload's
// import-in-the-middle loader hooks it. Runs the BUILT package (npm test builds first).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGrpcCollector, type TestGrpcCollector } from '../../helpers/grpc-collector.js';
import { hasPostgres, startPostgres } from '../../helpers/servers/postgres.js';
import type { PostgresServer } from '../../helpers/servers/postgres.js';
import { waitFor } from '../../helpers/wait.js';
import { requireBuild } from '../../helpers/dist.js';

requireBuild('dist/esm/node/register.js');

describe.skipIf(!hasPostgres())('pg from ESM (--import preload)', () => {
  let server: PostgresServer;
  let collector: TestGrpcCollector;

  beforeAll(async () => {
    [server, collector] = await Promise.all([startPostgres(), startGrpcCollector({})]);
  }, 60_000);
  afterAll(async () => {
    await collector?.close();
    await server?.stop();
  });

  it('traces default and named imports, with parameters when SW_SQL_TRACE_PARAMETERS=true', async () => {
    const service = 'pg-esm-app';
    const child = fork(fileURLToPath(new URL('../../fixtures/node/pg-app.mjs', import.meta.url)), [], {
      execArgv: ['--import', 'skywalking-tracing/node/register'],
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      env: {
        ...process.env,
        SW_AGENT_NAME: service,
        SW_AGENT_COLLECTOR_BACKEND_SERVICES: collector.address,
        SW_SQL_TRACE_PARAMETERS: 'true',
        PG_CONFIG: JSON.stringify({ host: server.host, port: server.port, user: server.user, database: server.database }),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(0);
    const seg = await waitFor(() => collector.segments.find((s) => s.service === service && s.spans.some((x) => x.operationName === 'esm-entry')));
    const dbSpans = seg.spans.filter((s) => s.spanType === 'Exit');
    expect(dbSpans.map((s) => s.operationName)).toEqual(['PostgreSQL/connect', 'PostgreSQL/query', 'PostgreSQL/connect', 'PostgreSQL/query']);
    const tags = (i: number) => Object.fromEntries(dbSpans[i]!.tags.map((t) => [t.key, t.value]));
    expect(tags(1)).toEqual({ 'db.type': 'PostgreSQL', 'db.instance': 'postgres', 'db.statement': 'SELECT $1::int AS n', 'db.sql.parameters': '[5]' });
    expect(tags(3)['db.statement']).toBe('SELECT 6 AS n');
    expect(dbSpans.every((s) => s.componentId === 22 && s.spanLayer === 'Database' && s.peer === `127.0.0.1:${server.port}`)).toBe(true);
  });
});
