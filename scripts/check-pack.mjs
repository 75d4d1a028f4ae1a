// `npm run check:pack`: the published tarball against what it promises. Run after
// `npm run build`. Fails (exit 1) when:
// - a source map in it names a source it neither embeds (sourcesContent) nor ships:
//   src/ is not published, so every map must carry its TypeScript (rollup.config.js
//   builds with inlineSources);
// - LICENSE, README.md, or a file package.json names (main, module, types, typesVersions,
//   exports, bin, sideEffects) is missing;
// - sideEffects does not keep the files that exist for their side effects (the preload
//   entry, the CLI, the script-tag bundle): a bundler would drop
//   `import 'skywalking-tracing/node/register'` otherwise;
// - sources, tests or benchmarks are shipped.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const [{ files }] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8' }));
const shipped = new Set(files.map((f) => f.path));
const problems = [];

for (const need of ['LICENSE', 'README.md', 'package.json']) if (!shipped.has(need)) problems.push(`${need} is not in the tarball`);

// Every "./…" path that package.json points at (values only: export keys are subpaths).
const named = new Set();
const collect = (v) => {
  if (typeof v === 'string') {
    if (v.startsWith('./')) named.add(v.slice(2));
  } else if (v && typeof v === 'object') Object.values(v).forEach(collect);
};
[pkg.main, pkg.module, pkg.types, pkg.typesVersions, pkg.exports, pkg.bin, pkg.sideEffects].forEach(collect);
for (const f of named) if (!shipped.has(f)) problems.push(`package.json names ${f}, which is not in the tarball`);

const withEffects = ['dist/esm/node/register.js', 'dist/cjs/node/register.js', 'dist/esm/collector/cli.js', 'dist/cjs/collector/cli.js', 'dist/skywalking-tracing.iife.min.js'];
if (!Array.isArray(pkg.sideEffects)) problems.push('sideEffects must list the files with side effects, not be ' + JSON.stringify(pkg.sideEffects));
else for (const f of withEffects) if (!pkg.sideEffects.includes('./' + f)) problems.push(`sideEffects does not list ./${f}`);

for (const f of shipped) if (/^(src|test|e2e|bench|demo|scripts)\//.test(f)) problems.push(`${f} should not be published`);

let maps = 0;
for (const f of shipped) {
  if (!f.endsWith('.map')) continue;
  maps++;
  const map = JSON.parse(readFileSync(f, 'utf8'));
  map.sources.forEach((source, i) => {
    const content = map.sourcesContent?.[i];
    if (typeof content === 'string' && content.length > 0) return;
    const resolved = posix.normalize(posix.join(posix.dirname(f), map.sourceRoot ?? '', source));
    if (!shipped.has(resolved)) problems.push(`${f}: source ${source} is neither embedded nor shipped`);
  });
}
if (maps === 0) problems.push('no source maps in the tarball: was `npm run build` run?');

for (const p of problems.slice(0, 30)) console.log('FAIL ' + p);
if (problems.length > 30) console.log(`… and ${problems.length - 30} more`);
console.log(problems.length ? `${problems.length} problems in the tarball` : `ok   tarball: ${shipped.size} files, ${maps} source maps with their sources embedded, LICENSE, sideEffects`);
process.exit(problems.length ? 1 : 0);
