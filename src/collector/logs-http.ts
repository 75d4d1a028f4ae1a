import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeContentEncoding, readBody } from '../server/index.js';
import type { TraceStore } from './store.js';

/** Most records in one `POST /v3/logs`. */
const MAX_LOGS_PER_REQUEST = 10_000;

/**
 * OAP's REST log receiver: `POST /v3/logs` with a JSON array of `LogData` (proto JSON
 * names). Each record needs a service; a bad body is a 400 and nothing is kept.
 */
export async function receiveLogs(store: TraceStore, maxBodyBytes: number, req: IncomingMessage, res: ServerResponse, headers: Record<string, string>): Promise<void> {
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  let items: unknown;
  try {
    const raw = await readBody(req, maxBodyBytes);
    items = JSON.parse((await decodeContentEncoding(raw, req.headers['content-encoding'], maxBodyBytes)).toString('utf8'));
  } catch (err) {
    store.counts.rejected++;
    return reply(400, { error: `/v3/logs takes a JSON array of LogData: ${(err as Error).message}` });
  }
  const bad = !Array.isArray(items)
    ? 'not a JSON array'
    : items.length > MAX_LOGS_PER_REQUEST
      ? `more than ${MAX_LOGS_PER_REQUEST} records`
      : items.findIndex((i) => !i || typeof i !== 'object' || typeof (i as { service?: unknown }).service !== 'string' || !(i as { service: string }).service) >= 0
        ? 'every record needs a non-empty service'
        : undefined;
  if (bad) {
    store.counts.rejected++;
    return reply(400, { error: `/v3/logs: ${bad}` });
  }
  for (const i of items as Array<Record<string, unknown>>) store.addLog(i);
  reply(200, {});
}
