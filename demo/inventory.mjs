// The second Node service of the demo. It has no tracing code: it is started with
// `node --import skywalking-tracing/node/register`, configured by SW_AGENT_* variables.
import { createServer } from 'node:http';
import { listenForDemo } from './listen.mjs';

const port = Number(process.env.PORT ?? 8081);

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'GET' && url.pathname.startsWith('/stock/')) {
    const sku = url.pathname.slice('/stock/'.length);
    // Some async work, so the trace shows time spent here.
    await new Promise((r) => setTimeout(r, 15 + Math.random() * 20));
    if (sku === 'missing') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'unknown sku' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ sku, available: Math.floor(Math.random() * 50) }));
    return;
  }
  res.writeHead(404).end();
});

listenForDemo(server, port);
