// One diagnostic each: a patched library loaded before start() (naming the preload), and an
// unsupported version (left untouched).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { originalOf } from '../../../src/core/patch.js';
import { InMemoryReporter, start } from '../../../src/node/index.js';
import { requireLib } from './harness.js';

const warnings: string[] = [];
const logger = { error: (m: string) => warnings.push(m), warn: (m: string) => warnings.push(m), info() {}, debug() {} };
// Loaded before the agent starts, as an app without the preload would.
const early = requireLib('pg');
const agent = start({ service: 'diag-test', reporter: new InMemoryReporter(), flushOnExit: false, logger, logLevel: 'warn' });
const dir = mkdtempSync(join(tmpdir(), 'sw-fake-pg-'));
afterAll(async () => {
  await agent.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

it('says once that pg was loaded before start, naming the preload, and leaves it untraced', () => {
  const said = warnings.filter((w) => w.includes('pg was loaded before the agent started'));
  expect(said).toHaveLength(1);
  expect(said[0]).toContain('--import skywalking-tracing/node/register');
  expect(originalOf(early.Client.prototype.query)).toBeUndefined();
});

it('says once that an unsupported version is not supported, and leaves it untouched', () => {
  const pkg = join(dir, 'node_modules', 'pg');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'pg', version: '7.18.2', main: 'index.js' }));
  writeFileSync(join(pkg, 'index.js'), 'class Client { query() { return 1 } connect() {} }\nmodule.exports = { Client };\n');
  const fake = createRequire(join(dir, 'app.js'))('pg') as { Client: { prototype: { query: unknown } } };
  expect(originalOf(fake.Client.prototype.query)).toBeUndefined();
  expect(warnings.filter((w) => w.includes('pg 7.18.2 is not supported (>=8.0.0 <9.0.0)'))).toHaveLength(1);
});
