// Rollup plugin for the script-tag bundle only: src/core/diag.ts is replaced by
// src/browser/diag-silent.ts. The bundle offers no way to install a logger, so its
// diagnostics could never be seen; dropping them keeps the bundle within its budget.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIAG = fileURLToPath(new URL('../src/core/diag.ts', import.meta.url));
const SILENT = fileURLToPath(new URL('../src/browser/diag-silent.ts', import.meta.url));

export function silentDiagnostics() {
  return {
    name: 'silent-diagnostics',
    resolveId(source, importer) {
      if (!importer || importer === SILENT || !/(^|\/)diag\.js$/.test(source)) return null;
      return resolve(dirname(importer), source.replace(/\.js$/, '.ts')) === DIAG ? SILENT : null;
    },
  };
}
