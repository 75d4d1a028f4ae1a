#!/usr/bin/env node
// `skywalking-tracing collector [--grpc-port 11800] [--http-port 12800] [--host 127.0.0.1]`
import { startCollector } from './index.js';

const HELP = `Usage: skywalking-tracing collector [options]

A local SkyWalking collector with a trace viewer (for development, demos and tests).

Options:
  --grpc-port <n>   gRPC port for agents (default 11800)
  --http-port <n>   HTTP port: gRPC-web, OAP REST receivers, API and viewer (default 12800)
  --host <addr>     interface to bind (default 127.0.0.1)
  --token <t>       require this authentication token on gRPC calls
  -h, --help        show this help
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${HELP}`);
  process.exit(2);
}

const args = process.argv.slice(2);
if (args.includes('-h') || args.includes('--help')) {
  process.stdout.write(HELP);
  process.exit(0);
}
if (args[0] !== 'collector') fail(args[0] ? `unknown command "${args[0]}"` : 'missing command');
const opts: Record<string, string> = {};
for (let i = 1; i < args.length; i++) {
  const a = args[i]!;
  if (!a.startsWith('--')) fail(`unexpected argument "${a}"`);
  const [k, inline] = a.slice(2).split('=', 2);
  const v = inline ?? args[++i];
  if (v === undefined) fail(`--${k} needs a value`);
  opts[k!] = v;
}
const port = (name: string, d: number) => {
  if (opts[name] === undefined) return d;
  const n = Number(opts[name]);
  if (!Number.isInteger(n) || n < 0 || n > 65535) fail(`--${name} must be a port number`);
  return n;
};
for (const k of Object.keys(opts)) if (!['grpc-port', 'http-port', 'host', 'token'].includes(k)) fail(`unknown option --${k}`);

async function main(): Promise<void> {
  const c = await startCollector({ grpcPort: port('grpc-port', 11800), httpPort: port('http-port', 12800), host: opts.host, token: opts.token });
  process.stdout.write(`skywalking-tracing collector
  gRPC (agents):            ${c.grpcAddress}
  HTTP (gRPC-web, REST):    ${c.httpUrl}
  trace viewer:             ${c.httpUrl}/
Ctrl-C to stop.
`);
  const stop = () => {
    void c.close().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`could not start the collector: ${(err as Error).message}\n`);
  process.exit(1);
});
