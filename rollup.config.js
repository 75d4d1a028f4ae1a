// Builds every entry as ESM (dist/esm) and CJS (dist/cjs), plus the minified IIFE for
// <script> users. Entries are bundled, the code they share in chunks (dist/<format>/chunks/):
// Node pays for each ES module it loads, far more than for the same code in one file (the
// Node entry as ~120 files cost ~5 MiB more RSS to import than as a handful of chunks, and
// the core's 38 files alone 6.5 MiB against 0.4 bundled). Shared chunks keep one copy of
// every core class and singleton (diag, instanceof) across `skywalking-tracing/core`,
// `/node`, `/browser`; bundlers still tree-shake inside a chunk (`npm run size` checks).
// Declarations come from `tsc --emitDeclarationOnly` (scripts/build-types.mjs), once for
// both formats, one per source file as before.
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import typescript from '@rollup/plugin-typescript';
import terser from '@rollup/plugin-terser';
import { silentDiagnostics } from './scripts/rollup-silent-diagnostics.js';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const deps = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies });
const external = (id) =>
  id.startsWith('node:') || builtinModules.includes(id) || deps.some((d) => id === d || id.startsWith(d + '/'));

// Internal member names of the browser path (src/core and src/browser classes and objects the
// script tag uses), mangled in the IIFE. Only names no user reads or writes: public API,
// options and wire (JSON) field names stay out (test/browser/iife-surface.test.ts checks
// the script tag's public surface through the built file). DOM names (host, open, done…)
// are never mangled (terser reserves them), so they are not listed.
export const INTERNAL_PROPS = [
  // Span
  'owner', 'endedAt', 'opName', 'peerAddr', 'propagated', 'live', 'toObject',
  // SegmentContext (SpanOwner, ContextHost)
  'recorded', 'skip', 'cut', 'endpointName', 'countDrop', 'spanEnded',
  // TracerCore, RandomIdGenerator
  'nextId',
  // Patches, request hooks, span scope
  'undo', 'begin', 'current', 'runIn', 'allowed',
  // The page queue
  'maxBatch', 'maxItems', 'maxBytes', 'leave',
  // Browser monitoring (src/browser/monitor/types.ts)
  'opts', 'base', 'rawFetch', 'hooks', 'patches', 'pathNow', 'rename', 'caught', 'renamed', 'emitRecord', 'onHide', 'viewNo', 'fail',
];
const INTERNAL_RE = new RegExp('^(?:' + INTERNAL_PROPS.join('|') + ')$');

const input = {
  'core/index': 'src/core/index.ts',
  'node/index': 'src/node/index.ts',
  'node/register': 'src/node/register.ts',
  'browser/index': 'src/browser/index.ts',
  'browser/monitor/index': 'src/browser/monitor/index.ts',
  'collector/index': 'src/collector/index.ts',
  'collector/cli': 'src/collector/cli.ts',
};

// Whitespace and comments out, local names shortened: Node keeps every loaded module's
// source text, and ~0.8 MiB of the Node entry's load cost was its comments and long local
// names. No compression (the code stays as written), class and function names kept (error
// names, stack frames), bundlers' annotations (@__PURE__) kept; the maps carry the TypeScript.
const lean = (format) =>
  terser({ ecma: 2020, module: format === 'es', compress: false, mangle: { keep_classnames: true, keep_fnames: true }, format: { comments: false, preserve_annotations: true } });

// inlineSources: the maps carry the TypeScript they point at (sourcesContent), because the
// package ships dist/ but not src/ (scripts/check-pack.mjs checks it).
const ts = () =>
  typescript({ tsconfig: './tsconfig.json', declaration: false, declarationMap: false, sourceMap: true, inlineSources: true, outDir: undefined, rootDir: 'src' });

export default [
  {
    input,
    external,
    plugins: [ts()],
    output: [
      { dir: 'dist/esm', format: 'es', sourcemap: true, entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js', plugins: [lean('es')] },
      { dir: 'dist/cjs', format: 'cjs', sourcemap: true, entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js', exports: 'named', plugins: [lean('cjs')] },
    ],
  },
  {
    input: 'src/browser/iife.ts',
    plugins: [silentDiagnostics(), ts()],
    output: {
      file: 'dist/skywalking-tracing.iife.min.js',
      format: 'iife',
      name: 'SkyWalking',
      sourcemap: true,
      plugins: [
        terser({
          ecma: 2020,
          module: false,
          compress: { passes: 3, unsafe: true, unsafe_arrows: true, unsafe_methods: true, pure_getters: true, keep_fargs: false },
          format: { wrap_func_args: false },
          // Internal member names never seen by users of the script tag; mangling them is
          // most of what keeps the bundle under its budget. Public API and wire (JSON)
          // field names are deliberately absent from this list.
          mangle: { properties: { regex: INTERNAL_RE } },
        }),
      ],
    },
  },
];
