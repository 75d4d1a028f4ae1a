// Emits .d.ts files into dist/esm and copies them to dist/cjs, and marks dist/cjs as
// CommonJS, so `import` and `require` users each get types in the right module format.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--emitDeclarationOnly', '--outDir', 'dist/esm'], {
  stdio: 'inherit',
});
const copyTypes = (from, to) => {
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    if (statSync(src).isDirectory()) copyTypes(src, join(to, name));
    else if (name.endsWith('.d.ts')) cpSync(src, join(to, name));
  }
};
copyTypes('dist/esm', 'dist/cjs');
writeFileSync('dist/cjs/package.json', '{ "type": "commonjs" }\n');
