#!/usr/bin/env node
// `skywalking-tracing collector [--grpc-port 11800] [--http-port 12800] [--host 127.0.0.1] …`
import { CollectorListenError, startCollector } from './index.js';

const HELP = `Usage: skywalking-tracing collector [options]

A local SkyWalking collector with a trace viewer (for development, demos and tests).

Options:
  --grpc-port <n>   gRPC port for agents (default 11800)
  --http-port <n>   HTTP port: gRPC-web, OAP REST receivers, API and viewer (default 12800)
  --host <addr>     interface to bind (default 127.0.0.1)
  --token <t>       require this authentication token on gRPC calls
  --max-traces <n>  traces kept in memory, oldest evicted first (default 2000)
  --max-bytes <n>   approximate memory for all it keeps, oldest traces evicted
                    first; bytes or with a unit: 512k, 64m, 1g (default 256m)
  --max-body-bytes <n>
                    largest HTTP request body, after decompression (default 4m)
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
// Null prototype: option names come from the command line (`--__proto__=x` is just unknown).
const opts: Record<string, string> = Object.create(null) as Record<string, string>;
for (let i = 1; i < args.length; i++) {
  const a = args[i]!;
  if (!a.startsWith('--')) fail(`unexpected argument "${a}"`);
  // --name=value keeps any further '=' in the value (tokens may contain them).
  const eq = a.indexOf('=');
  const k = eq < 0 ? a.slice(2) : a.slice(2, eq);
  const v = eq < 0 ? args[++i] : a.slice(eq + 1);
  if (v === undefined) fail(`--${k} needs a value`);
  opts[k] = v;
}
const port = (name: string, d: number) => {
  if (opts[name] === undefined) return d;
  const n = /^\d+$/.test(opts[name]) ? Number(opts[name]) : NaN;
  if (!(n >= 0 && n <= 65535)) fail(`--${name} must be a port number`);
  return n;
};
const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
// A positive integer, for sizes with an optional binary unit (k, m, g; KiB, MB… read the same).
const positive = (name: string, sized: boolean): number | undefined => {
  const v = opts[name];
  if (v === undefined) return undefined;
  const m = sized ? /^(\d+)\s*([kmg]?)(?:i?b)?$/i.exec(v) : /^(\d+)()$/.exec(v);
  const n = m ? Number(m[1]) * UNITS[m[2]!.toLowerCase()]! : NaN;
  if (!Number.isSafeInteger(n) || n < 1) fail(`--${name} must be a positive ${sized ? 'size (e.g. 1048576, 512k, 64m, 1g)' : 'integer'}`);
  return n;
};
const KNOWN = ['grpc-port', 'http-port', 'host', 'token', 'max-traces', 'max-bytes', 'max-body-bytes'];
for (const k of Object.keys(opts)) if (!KNOWN.includes(k)) fail(`unknown option --${k}`);

async function main(): Promise<void> {
  const c = await startCollector({
    grpcPort: port('grpc-port', 11800),
    httpPort: port('http-port', 12800),
    host: opts.host,
    token: opts.token,
    maxTraces: positive('max-traces', false),
    maxBytes: positive('max-bytes', true),
    maxBodyBytes: positive('max-body-bytes', true),
  });
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
  // One line that names the port and the option that moves it, no stack trace.
  if (err instanceof CollectorListenError)
    process.stderr.write(`could not start the collector: ${err.message}; choose another with --${err.kind}-port (0 picks a free port)\n`);
  else process.stderr.write(`could not start the collector: ${(err as Error)?.message ?? err}\n`);
  process.exit(1);
});
