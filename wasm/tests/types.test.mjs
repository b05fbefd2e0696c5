// The TypeScript declarations against the real output. src/types.d.ts is
// generated from the Rust types (tests/types.rs checks it is current); here
// TypeScript itself checks that they type what the package returns:
// - `tsc --strict` compiles tests/types/consumer.ts, whose @ts-expect-error
//   lines fail the build if a declaration is loosened to `any`;
// - every object the Node build returns for the golden cases (analyze,
//   analyzeMany, diff, and plan, parse and checkCsv of the same input) and
//   every error it throws is written into a TypeScript file as an object
//   literal typed with its declaration, which `tsc --strict` compiles: a
//   field the output has and the declaration lacks is an excess property, a
//   required field it lacks is missing, a wrong literal is not assignable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { analyze, analyzeMany, checkCsv, diff, parse, plan } from '../pkg/node/keyrot.js';
import { outcome, readCase, slugs } from './cases.mjs';

const wasmDir = fileURLToPath(new URL('..', import.meta.url));

/** Runs `tsc --strict --noEmit` on `file` (relative to wasm/). */
function tsc(file) {
  return spawnSync(
    process.execPath,
    [
      'node_modules/typescript/bin/tsc',
      '--strict',
      '--noEmit',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--lib',
      'es2022,dom',
      file,
    ],
    { cwd: wasmDir, encoding: 'utf8' },
  );
}

test('the declarations compile and reject what they must (tsc --strict)', () => {
  const result = tsc('tests/types/consumer.ts');
  assert.equal(result.status, 0, `tsc failed:\n${result.stdout}${result.stderr}`);
});

test('the generated declarations never say any', () => {
  for (const file of ['pkg/node/keyrot.d.ts', 'pkg/web/keyrot.d.ts', 'pkg/web/keyrot_bg.wasm.d.ts']) {
    const text = readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
    assert.doesNotMatch(text, /:\s*any\b|<any>|\bany\[\]|\|\s*any\b/, file);
    if (file.endsWith('keyrot.d.ts')) assert.match(text, /export type Analysis = \{/, `${file} has the types`);
  }
});

/** A value as a TypeScript expression: JSON, with the CSV bytes of checkCsv as a Uint8Array. */
function literal(value) {
  const { csv, ...rest } = value;
  const json = JSON.stringify(rest, null, 1);
  return csv instanceof Uint8Array ? `{ ...${json}, csv: new Uint8Array(${csv.length}) }` : json;
}

test('every golden result, parse result, plan, diff and error is typed by the declarations (tsc --strict)', () => {
  const lines = [
    "import type { Analysis, CsvCheck, Diff, Finding, KeyrotError, ManyAnalysis, Plan, Report } from '../pkg/node/keyrot.js';",
    "type Thrown = Pick<KeyrotError, 'code' | 'line' | 'column' | 'value'>;",
  ];
  const seen = { Analysis: 0, ManyAnalysis: 0, Diff: 0, Plan: 0, Report: 0, CsvCheck: 0, Thrown: 0 };
  const typed = (value, type, what) => {
    const [name, shown] = value.error ? ['Thrown', value.error] : [type, value];
    seen[name]++;
    lines.push(`// ${what}`, `export const v${lines.length}: ${name} = ${literal(shown)};`);
  };
  let finding;
  for (const slug of slugs()) {
    const c = readCase(slug);
    if (c.diff) {
      typed(outcome(() => diff(c.diff.old, c.diff.new, c.options)), 'Diff', slug);
      continue;
    }
    if (c.inputs) {
      typed(outcome(() => analyzeMany(c.inputs, c.options)), 'ManyAnalysis', slug);
      continue;
    }
    const analysis = outcome(() => analyze(c.input, c.options));
    finding ??= analysis.findings?.[0];
    typed(analysis, 'Analysis', slug);
    typed(outcome(() => plan(c.input, c.options)), 'Plan', `${slug} (plan)`);
    const parseOptions = { lenient: c.contract.lenient ?? false, format: c.contract.format ?? 'auto' };
    typed(outcome(() => parse(c.input, parseOptions)), 'Report', `${slug} (parse)`);
    // Not through outcome(): its JSON round trip would turn the CSV bytes into an object.
    let checked;
    try {
      checked = checkCsv(c.input, c.options);
    } catch (err) {
      const { code, line, column, value } = err;
      checked = { error: { code, line, column, value } };
    }
    typed(checked, 'CsvCheck', `${slug} (checkCsv)`);
  }
  for (const [type, count] of Object.entries(seen)) assert.ok(count > 0, `no ${type} was checked`);
  // The check itself rejects drift: a field too many, a field missing, a wrong status.
  const { reason, ...withoutReason } = finding;
  assert.ok(reason);
  for (const [what, bad] of [
    ['a field too many', { ...finding, extra: 1 }],
    ['a field missing', withoutReason],
    ['a status that is not one', { ...finding, status: 'failed' }],
  ]) {
    lines.push(`// @ts-expect-error ${what}`, `export const drift${lines.length}: Finding = ${JSON.stringify(bad)};`);
  }
  mkdirSync(new URL('../test-artifacts/', import.meta.url), { recursive: true });
  writeFileSync(new URL('../test-artifacts/golden-types.ts', import.meta.url), `${lines.join('\n')}\n`);
  const result = tsc('test-artifacts/golden-types.ts');
  assert.equal(result.status, 0, `tsc failed (wasm/test-artifacts/golden-types.ts):\n${result.stdout.slice(0, 4000)}${result.stderr}`);
});
