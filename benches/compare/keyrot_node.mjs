// Runs keyrot's WebAssembly build (wasm/pkg/node) under Node: `checkCsv`
// reads the report through fs.readSync a megabyte at a time, judges it and
// writes the CSV of the `fail` findings inside WebAssembly, and hands each
// piece to fs.writeSync: the same bytes as
// `keyrot check --only fail --format csv REPORT` (all 20 columns, `source`
// the report's path as given), written to OUT.csv, in memory that does not
// grow with the report.
//
// Usage: node keyrot_node.mjs PKG_DIR REPORT OUT.csv [AS_OF]

import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';

const [pkg, report, out, asOf = '2026-11-26T00:00:00Z'] = process.argv.slice(2);
const { checkCsv } = await import(pathToFileURL(join(resolve(pkg), 'keyrot.js')).href);
const input = openSync(report, 'r');
const output = openSync(out, 'w');
const result = checkCsv((buf) => readSync(input, buf), {
  asOf,
  only: ['fail'],
  source: report,
  write: (bytes) => {
    for (let at = 0; at < bytes.length; ) at += writeSync(output, bytes, at);
  },
});
closeSync(output);
closeSync(input);
console.log(result.csv_rows);
