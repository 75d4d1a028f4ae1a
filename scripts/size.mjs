// `npm run size`: the browser bundle's budget. Fails (exit 1) when the script-tag IIFE
// is over 8 KB min+gzip. Run after `npm run build`.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGETS = [{ file: 'dist/skywalking-tracing.iife.min.js', limit: 8 * 1024 }];
let over = 0;
for (const { file, limit } of BUDGETS) {
  const raw = readFileSync(file);
  const gz = gzipSync(raw, { level: 9 }).length;
  const ok = gz <= limit;
  if (!ok) over++;
  console.log(`${ok ? 'ok  ' : 'OVER'} ${file}: ${(raw.length / 1024).toFixed(1)} KB min, ${(gz / 1024).toFixed(2)} KB min+gzip = ${gz} bytes (budget ${limit})`);
}
process.exit(over ? 1 : 0);
