// The demo's API service: serves the page and the script-tag agent, takes the browser's
// trace reports on its own origin (ingest handler), and calls the inventory service.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createIngestHandler, start } from 'skywalking-tracing/node';
import { listenForDemo } from './listen.mjs';

const agent = start({
  service: 'demo-api',
  serviceInstance: 'demo-api-1',
  collector: process.env.COLLECTOR_GRPC ?? '127.0.0.1:11800',
  flushIntervalMs: 200,
});

const inventory = process.env.INVENTORY_URL ?? 'http://127.0.0.1:8081';
const ingest = createIngestHandler({ basePath: '/skywalking' });
const page = new URL('./page.html', import.meta.url);
const bundle = new URL('../dist/skywalking-tracing.iife.min.js', import.meta.url);

const server = createServer(async (req, res) => {
  // Browser reports: gRPC-web collectInSync (and OAP JSON) forwarded to the collector.
  if (ingest(req, res)) return;
  const url = new URL(req.url ?? '/', 'http://localhost');
  try {
    if (req.method === 'GET' && url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(await readFile(page));
    } else if (req.method === 'GET' && url.pathname === '/assets/skywalking-tracing.iife.min.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(await readFile(bundle));
    } else if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
    } else if (req.method === 'POST' && url.pathname === '/api/checkout') {
      const sku = url.searchParams.get('sku') ?? 'sku-1';
      // A user span around business logic; the fetch below becomes its child.
      const result = await agent.withSpan('checkout', async (span) => {
        span.tag('sku', sku);
        const stock = await fetch(`${inventory}/stock/${encodeURIComponent(sku)}`);
        return { status: stock.status, body: await stock.json() };
      });
      res.writeHead(result.status === 200 ? 200 : 502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ordered: result.status === 200, inventory: result.body }));
    } else {
      res.writeHead(404).end();
    }
  } catch (err) {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: String(err) }));
  }
});

listenForDemo(server, Number(process.env.PORT ?? 8080));
