// Tests of the built package run dist/, which `npm test` builds first. A missing build fails
// the file, naming what to run; it never skips it (a skipped suite reads as green).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Throws unless every path given (relative to the root, e.g. `dist/esm/node/register.js`) exists. */
export function requireBuild(...paths: string[]): void {
  const missing = paths.filter((p) => !existsSync(join(ROOT, p)));
  if (missing.length > 0) throw new Error(`${missing.join(', ')} missing: run \`npm run build\` first (\`npm test\` does)`);
}
