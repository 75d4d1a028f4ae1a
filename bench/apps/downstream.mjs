// The untraced downstream service of the "one downstream call" variant.
import { createServer } from 'node:http';

const server = createServer((req, res) => res.end('{"stock":42}'));
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
