// Installs the library instrumentations for one agent: channel subscriptions at once,
// patches when their module loads (module-hooks.ts). Returns the one undo: unsubscribe,
// unhook and restore the patch set (its wrappers then pass through).
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import { join, sep } from 'node:path';
import { diag } from '../../core/index.js';
import type { Tracer } from '../../core/index.js';
import { Patches } from '../../core/patch.js';
import type { ResolvedOptions } from '../options.js';
import { openExit } from './exit.js';
import { INSTRUMENTATIONS } from './index.js';
import { watchModules } from './module-hooks.js';
import { sqlSettings } from './sql.js';
import type { InstrumentContext, Instrumentation } from './types.js';
import { inRange, rangeText } from './version.js';

const PRELOAD = 'start with `node --import skywalking-tracing/node/register` (ESM) or `node --require skywalking-tracing/node/register` (CommonJS)';

/**
 * Installs every instrumentation of `list` whose `instrument` option is not false.
 * Never throws: a failing one gets a diagnostic and the others go on.
 */
export function installInstrumentations(tracer: Tracer, options: ResolvedOptions, list: readonly Instrumentation[] = INSTRUMENTATIONS): () => void {
  const patches = new Patches();
  const ctx: InstrumentContext = {
    tracer,
    options,
    patches,
    sql: sqlSettings(options),
    exit: (operation, peer, layer, component) => openExit(tracer, options, operation, peer, layer, component),
  };
  const enabled = list.filter((i) => (options.instrument as Record<string, boolean | undefined>)[i.name] !== false);
  const undo: Array<() => void> = [];
  for (const inst of enabled) {
    try {
      if (inst.kind === 'channels') undo.push(inst.subscribe(ctx));
      else if (inst.own?.()) inst.patch(inst.own(), ctx, undefined);
      else if (isLoaded(inst.module)) diag.warn(`${inst.module} was loaded before the agent started, so it stays untraced: ${PRELOAD}`);
    } catch (err) {
      diag.error(`could not instrument ${inst.name}; it stays untraced`, err);
    }
  }

  const byModule = new Map<string, Instrumentation[]>();
  for (const inst of enabled) byModule.set(inst.module, [...(byModule.get(inst.module) ?? []), inst]);
  undo.push(
    watchModules([...byModule.keys()], (exports, name, baseDir) => {
      for (const inst of byModule.get(name) ?? []) {
        try {
          const version = versionAt(baseDir);
          if (!inRange(version, inst.versions)) {
            diag.once('warn', `unsupported-${inst.name}-${version}`, `${inst.module} ${version ?? '(unknown version)'} is not supported (${rangeText(inst.versions)}); it stays untraced`);
            continue;
          }
          if (inst.kind === 'patch') inst.patch(exports, ctx, baseDir);
        } catch (err) {
          diag.once('error', `patch-${inst.name}`, `could not instrument ${inst.name}; it stays untraced`, err);
        }
      }
    }),
  );
  return () => {
    for (const u of undo.splice(0).reverse()) {
      try {
        u();
      } catch {
        // keep removing the others
      }
    }
    patches.restore();
  };
}

const versions = new Map<string, string | undefined>();

/** The version in `baseDir/package.json`; undefined when unreadable. Bounded by the number of installed packages. */
function versionAt(baseDir: string | undefined): string | undefined {
  if (!baseDir) return undefined;
  if (!versions.has(baseDir)) {
    let v: string | undefined;
    try {
      v = (JSON.parse(readFileSync(join(baseDir, 'package.json'), 'utf8')) as { version?: unknown }).version as string | undefined;
    } catch {
      v = undefined;
    }
    versions.set(baseDir, typeof v === 'string' ? v : undefined);
  }
  return versions.get(baseDir);
}

/** Whether a file of package `name` is in the CommonJS cache (CommonJS modules imported from ESM are too). */
function isLoaded(name: string): boolean {
  const cache = (Module as unknown as { _cache?: Record<string, unknown> })._cache;
  if (!cache) return false;
  // A watched internal file (`amqplib/lib/channel_model`) is named without its `.js`.
  const marker = `${sep}node_modules${sep}${name.split('/').join(sep)}`;
  return Object.keys(cache).some((file) => file.includes(marker + sep) || file.endsWith(marker + '.js'));
}
