// The published tarball, installed into an empty project, works from ESM and CJS with
// types. Uses the built dist/ (npm test builds first); deps come from the npm cache.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requireBuild } from '../helpers/dist.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
requireBuild('dist/esm/core/index.js', 'dist/cjs/core/index.js');

describe('npm pack', () => {
  it('installs into an empty project and works from ESM, CJS and TypeScript', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-pack-'));
    execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: root, stdio: 'pipe' });
    const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
    const app = join(dir, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
    const install = (extra: string[]) => execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', ...extra, join(dir, tgz)], { cwd: app, stdio: 'pipe' });
    try {
      install(['--offline']);
    } catch {
      install([]);
    }
    writeFileSync(
      join(app, 'esm.mjs'),
      `import { Tracer, InMemoryReporter, decodeSw8, encodeSegment, recordCarrier } from 'skywalking-tracing/core';
import * as root from 'skywalking-tracing';
import { start, createIngestHandler } from 'skywalking-tracing/node';
import { startCollector } from 'skywalking-tracing/collector';
const r = new InMemoryReporter();
const c = new Tracer({ service: 's', serviceInstance: 'i', reporter: r }).createTracingContext();
const e = c.createEntrySpan('op');
const h = {};
c.createExitSpan('call', e, 'peer:80', recordCarrier(h)).end();
e.end();
const seg = r.segments[0];
if (seg.spans.map((s) => s.spanId + ':' + s.parentSpanId + ':' + s.spanType).join() !== '0:-1:Entry,1:0:Exit') throw new Error('bad segment ' + JSON.stringify(seg));
if (decodeSw8(h.sw8)?.addressUsedAtClient !== 'peer:80' || !(encodeSegment(seg).length > 50)) throw new Error('bad sw8 or encoding');
// The root entry under Node is the Node agent, which re-exports the core.
const r2 = new root.InMemoryReporter();
new root.Tracer({ service: 's', serviceInstance: 'i', reporter: r2 }).createTracingContext().createLocalSpan('root-op').end();
if (typeof start !== 'function' || typeof createIngestHandler !== 'function' || typeof startCollector !== 'function' || typeof root.start !== 'function') throw new Error('missing exports');
console.log(seg.spans[0].operationName, r2.segments[0].spans[0].operationName);`,
    );
    writeFileSync(
      join(app, 'cjs.cjs'),
      `const { Tracer, InMemoryReporter } = require('skywalking-tracing/core');
const { start } = require('skywalking-tracing/node');
const rootCjs = require('skywalking-tracing');
const r = new InMemoryReporter();
const c = new Tracer({ service: 's', serviceInstance: 'i', reporter: r }).createTracingContext();
const l = c.createLocalSpan('cjs-op');
c.createLocalSpan('child').end();
l.end();
if (JSON.stringify(r.segments[0].spans.map((s) => s.parentSpanId)) !== '[-1,0]') throw new Error('bad segment');
if (typeof start !== 'function' || typeof rootCjs.Tracer !== 'function') throw new Error('missing exports');
console.log(r.segments[0].spans[0].operationName);`,
    );
    expect(execFileSync(process.execPath, ['esm.mjs'], { cwd: app }).toString().trim()).toBe('op root-op');
    expect(execFileSync(process.execPath, ['cjs.cjs'], { cwd: app }).toString().trim()).toBe('cjs-op');
    expect(existsSync(join(app, 'node_modules/skywalking-tracing/dist/skywalking-tracing.iife.min.js'))).toBe(true);

    writeFileSync(
      join(app, 'types.mts'),
      `import { Tracer, InMemoryReporter, type SegmentObject } from 'skywalking-tracing/core';
import { start, type NodeAgentOptions } from 'skywalking-tracing/node';
import { start as startBrowser, type BrowserAgentOptions } from 'skywalking-tracing/browser';
const o: NodeAgentOptions = { service: 'x' };
const b: BrowserAgentOptions = { service: 'web' };
const s: SegmentObject[] = new InMemoryReporter().segments;
const span = new Tracer({ service: 's', serviceInstance: 'i', reporter: new InMemoryReporter() }).createTracingContext().createEntrySpan('op');
const id: number = span.spanId;
// Types must be real, not any: a wrong call has to fail.
// @ts-expect-error service must be a string
new Tracer({ service: 1, serviceInstance: 'i', reporter: new InMemoryReporter() });
export { Tracer, start, startBrowser, o, b, s, id };`,
    );
    writeFileSync(
      join(app, 'types.cts'),
      `import { Tracer } from 'skywalking-tracing/core';
import type { NodeAgent } from 'skywalking-tracing/node';
export const t: typeof Tracer = Tracer;
// @ts-expect-error traceId is a string
export const n: number = new Tracer({ service: 's', serviceInstance: 'i', reporter: { report() {}, flush: async () => {}, shutdown: async () => {} } }).createTracingContext().traceId;
export type A = NodeAgent;`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, skipLibCheck: false, lib: ['ES2022', 'DOM'], types: ['node'], typeRoots: [join(root, 'node_modules/@types')] }, files: ['types.mts', 'types.cts'] }),
    );
    typeCheck(app, 'tsconfig.json');
    typeCheckEveryResolution(app);
  }, 180_000);
});

function typeCheck(dir: string, project: string): void {
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: dir, stdio: 'pipe' });
  } catch (err) {
    throw new Error(`type check (${project}) against the installed package failed:\n` + String((err as { stdout?: Buffer }).stdout ?? err), { cause: err });
  }
}

/**
 * A new user's first import, under each moduleResolution a project may have: `bundler`
 * (Vite, webpack, esbuild: no node/browser condition), `node10` (no exports map at all),
 * `node16`/`nodenext` (the node condition). `start` from the root and from both runtime
 * subpaths must type-check, and so must the documented `agent.reporter.stats.sent`.
 */
function typeCheckEveryResolution(app: string): void {
  const consumer = (from: string, name: string) => `import { start as ${name} } from '${from}';
const ${name}Agent = ${name}({ service: 'svc' });
export const ${name}Sent: number = ${name}Agent.reporter.stats.sent;
export const ${name}Flush: Promise<void> = ${name}Agent.flush(10);
// Types must be real, not any.
// @ts-expect-error sent is a number
export const ${name}Bad: string = ${name}Agent.reporter.stats.sent;
`;
  const body =
    consumer('skywalking-tracing', 'rootStart') +
    consumer('skywalking-tracing/node', 'nodeStart') +
    // src/browser types its agent's reporter as a plain Reporter (a reporter of your own is
    // exposed unwrapped there), so only the root's and Node's agent promise reporter.stats.
    `import { start as browserStart } from 'skywalking-tracing/browser';
export const browserFlush: Promise<void> = browserStart({ service: 'web' }).flush(10);
` +
    `import { Tracer, InMemoryReporter } from 'skywalking-tracing/core';
import { startCollector } from 'skywalking-tracing/collector';
import type { NodeAgent } from 'skywalking-tracing/node';
export const t = new Tracer({ service: 's', serviceInstance: 'i', reporter: new InMemoryReporter() });
export const c: typeof startCollector = startCollector;
export const n: NodeAgent | undefined = undefined;
`;
  const base = { strict: true, noEmit: true, skipLibCheck: false, lib: ['ES2022', 'DOM'], types: ['node'], typeRoots: [join(root, 'node_modules/@types')] };
  const setups: Array<[string, Record<string, unknown>, string]> = [
    ['bundler', { module: 'esnext', moduleResolution: 'bundler' }, 'ts'],
    // The package's declaration files are checked once, above and under bundler; skipLibCheck
    // keeps the other runs short (imports must still resolve and be used correctly).
    ['node10', { module: 'commonjs', moduleResolution: 'node10', skipLibCheck: true }, 'ts'],
    ['node16', { module: 'node16', moduleResolution: 'node16', skipLibCheck: true }, 'mts'],
    ['nodenext-cjs', { module: 'nodenext', moduleResolution: 'nodenext', skipLibCheck: true }, 'cts'],
  ];
  for (const [name, options, ext] of setups) {
    const file = `first-${name}.${ext}`;
    writeFileSync(join(app, file), body);
    writeFileSync(join(app, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions: { ...base, ...options }, files: [file] }));
    typeCheck(app, `tsconfig.${name}.json`);
  }
}
