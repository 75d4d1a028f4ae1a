// Importing the browser entry has no side effects (safe under server-side rendering): checked
// in a fresh Node process, so nothing imported earlier can hide a patch made at import time.
// The source is bundled with esbuild ignoring `sideEffects: false`, so a module that patches
// on import is kept and caught.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'sw-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Runs in the child: snapshot every global (and a stand-in XMLHttpRequest's prototype), import
// the entry, compare; then start() must change fetch and XHR, so the comparison can see a patch.
const CHILD = `
const fakeXhr = class XMLHttpRequest { open() {} setRequestHeader() {} send() {} };
globalThis.XMLHttpRequest = fakeXhr;
const proto = fakeXhr.prototype;
const snapshot = () => {
  const out = new Map();
  // Values, not descriptors: Node turns some lazy getters into values on first read.
  for (const k of Reflect.ownKeys(globalThis)) out.set(k, globalThis[k]);
  for (const k of ['open', 'setRequestHeader', 'send']) out.set('XHR.' + k, proto[k]);
  return out;
};
const diff = (a, b) => [...new Set([...a.keys(), ...b.keys()])].filter((k) => !Object.is(a.get(k), b.get(k))).map(String);
// The first read wakes Node's lazy globals (fetch loads undici, which adds a symbol).
snapshot();
const before = snapshot();
const m = await import(process.argv[2]);
const afterImport = diff(before, snapshot());
const agent = m.start({ service: 'ssr' });
const afterStart = diff(before, snapshot());
await agent.shutdown(10);
const afterShutdown = diff(before, snapshot());
console.log(JSON.stringify({ exports: Object.keys(m).length, afterImport, afterStart, afterShutdown }));
`;

describe('importing skywalking-tracing/browser', () => {
  it('changes no global in a fresh process without window; start() patches, shutdown() restores', async () => {
    const entry = join(dir, 'browser.mjs');
    await build({ entryPoints: ['src/browser/index.ts'], bundle: true, format: 'esm', platform: 'neutral', outfile: entry, ignoreAnnotations: true, logLevel: 'silent' });
    writeFileSync(join(dir, 'child.mjs'), CHILD);
    const run = spawnSync(process.execPath, [join(dir, 'child.mjs'), entry], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout);
    expect(out.exports).toBeGreaterThan(10);
    expect(out.afterImport).toEqual([]);
    expect(out.afterStart.sort()).toEqual(['XHR.open', 'XHR.send', 'XHR.setRequestHeader', 'fetch']);
    expect(out.afterShutdown).toEqual([]);
  });
});
