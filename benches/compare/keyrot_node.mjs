// Runs keyrot's WebAssembly build (wasm/pkg/node) under Node: reads the
// whole report into memory (analyze takes bytes, not a stream), judges it,
// and writes the `fail` findings as user,slot,age_days.
//
// Usage: node keyrot_node.mjs PKG_DIR REPORT OUT.csv [AS_OF]

import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';

const [pkg, report, out, asOf = '2026-11-26T00:00:00Z'] = process.argv.slice(2);
const { analyze } = await import(pathToFileURL(join(resolve(pkg), 'keyrot.js')).href);
const analysis = analyze(readFileSync(report), { asOf });
const lines = ['user,slot,age_days'];
const quote = (s) => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
for (const f of analysis.findings) {
  if (f.status === 'fail') lines.push(`${quote(f.user)},${f.slot},${f.age_days}`);
}
writeFileSync(out, lines.join('\n') + '\n');
console.log(lines.length - 1);
