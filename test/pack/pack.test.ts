// The published tarball, installed into an empty project, works from ESM and CJS with
// types. Uses the built dist/ (npm test builds first); deps come from the npm cache.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const built = existsSync(join(root, 'dist/esm/core/index.js'));

describe.skipIf(!built)('npm pack', () => {
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
      `import { Tracer, InMemoryReporter } from 'skywalking-tracing/core';
import * as root from 'skywalking-tracing';
import { start, createIngestHandler } from 'skywalking-tracing/node';
import { startCollector } from 'skywalking-tracing/collector';
const r = new InMemoryReporter();
const c = new Tracer({ service: 's', serviceInstance: 'i', reporter: r }).createTracingContext();
c.createEntrySpan('op').end();
if (typeof start !== 'function' || typeof createIngestHandler !== 'function' || typeof startCollector !== 'function' || typeof root.start !== 'function') throw new Error('missing exports');
console.log(r.segments[0].spans[0].operationName);`,
    );
    writeFileSync(
      join(app, 'cjs.cjs'),
      `const { Tracer, InMemoryReporter } = require('skywalking-tracing/core');
const { start } = require('skywalking-tracing/node');
const r = new InMemoryReporter();
const c = new Tracer({ service: 's', serviceInstance: 'i', reporter: r }).createTracingContext();
c.createLocalSpan('cjs-op').end();
if (typeof start !== 'function') throw new Error('missing start');
console.log(r.segments[0].spans[0].operationName);`,
    );
    expect(execFileSync(process.execPath, ['esm.mjs'], { cwd: app }).toString().trim()).toBe('op');
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
export { Tracer, start, startBrowser, o, b, s };`,
    );
    writeFileSync(
      join(app, 'types.cts'),
      `import { Tracer } from 'skywalking-tracing/core';
import type { NodeAgent } from 'skywalking-tracing/node';
export const t: typeof Tracer = Tracer;
export type A = NodeAgent;`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, skipLibCheck: false, lib: ['ES2022', 'DOM'], types: ['node'], typeRoots: [join(root, 'node_modules/@types')] }, files: ['types.mts', 'types.cts'] }),
    );
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: app, stdio: 'pipe' });
  }, 180_000);
});
