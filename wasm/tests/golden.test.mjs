// Runs every golden case of testdata/cases (the same folder the Rust and
// Python suites read; see testdata/README.md) against the Node build of the
// package, as the Rust harness does (core/tests/golden.rs):
// - `analyze(input bytes, options.json with camelCase names)` must equal
//   expected.json after a JSON round trip; an error case must throw an Error
//   with the expected code, line, column and value;
// - a case with exemptions.toml passes it as `exemptions`;
// - a case with an inputs/ folder goes through `analyzeMany`, in name order;
// - a case with diff.json goes through `diff(old, new)`;
// - a case with expected_plan.json also checks `plan` (with access_keys.json
//   as `accessKeys` when the case has one);
// - every case of one report also goes through `checkCsv`: its CSV must be
//   the expected findings, every column, in order (written here by
//   `findingsCsv`, independently of the engine), the rest of its result
//   expected.json without `findings`, and an error case must throw the
//   expected error; then again with `only` and `columns`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, analyzeMany, checkCsv, diff, plan } from '../pkg/node/keyrot.js';
import { defaultColumns, findingsCsv, outcome, readCase, skips, slugs } from './cases.mjs';

const skipped = skips();
const all = slugs();

test('the golden folder has cases', () => {
  assert.ok(all.length > 0);
});

for (const slug of all) {
  test(slug, { skip: skipped[slug] ?? false }, () => {
    const c = readCase(slug);
    const actual = outcome(() =>
      c.diff ? diff(c.diff.old, c.diff.new, c.options) : c.inputs ? analyzeMany(c.inputs, c.options) : analyze(c.input, c.options),
    );
    if (actual.thrown) {
      assert.ok(actual.thrown.message.length > 0, 'the error has a message');
      delete actual.thrown;
    }
    assert.deepStrictEqual(actual, c.expected);

    if (c.expectedPlan) {
      const options = c.accessKeys ? { ...c.options, accessKeys: c.accessKeys } : c.options;
      assert.deepStrictEqual(outcome(() => plan(c.input, options)), c.expectedPlan);
    }
  });
}

/** What checkCsv gives: the analysis part as JSON data, the CSV as text; or `{error}`. */
function csvOutcome(input, options) {
  let result;
  try {
    result = checkCsv(input, options);
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    assert.ok(err.message.length > 0, 'the error has a message');
    const { code, line, column, value } = err;
    return { error: { code, line, column, value } };
  }
  const { csv, csv_rows: rows, ...analysis } = result;
  assert.ok(csv instanceof Uint8Array, 'csv is a Uint8Array');
  return { analysis: JSON.parse(JSON.stringify(analysis)), csv: new TextDecoder('utf-8', { fatal: true }).decode(csv), rows };
}

for (const slug of all) {
  const c = readCase(slug);
  if (c.diff || c.inputs) continue;
  test(`${slug} (checkCsv)`, { skip: skipped[slug] ?? false }, () => {
    const source = `${slug}/report.csv`;
    const actual = csvOutcome(c.input, { ...c.options, source });
    if (c.expected.error) {
      assert.deepStrictEqual(actual, { error: c.expected.error });
      return;
    }
    const { findings, ...analysis } = c.expected;
    assert.deepStrictEqual(actual.analysis, analysis);
    assert.equal(actual.csv, findingsCsv(findings, source, defaultColumns(c.expected)));
    assert.equal(actual.rows, findings.length);

    const only = ['fail', 'invalid'];
    const columns = ['user', 'slot', 'status', 'age_days', 'reason'];
    const some = csvOutcome(c.input, { ...c.options, only, columns });
    const kept = findings.filter((f) => only.includes(f.status));
    assert.equal(some.csv, findingsCsv(kept, '', columns));
    assert.equal(some.rows, kept.length);
    assert.deepStrictEqual(some.analysis, analysis, 'the summary still counts every key');
  });
}
