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
//   as `accessKeys` when the case has one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, analyzeMany, diff, plan } from '../pkg/node/keyrot.js';
import { outcome, readCase, skips, slugs } from './cases.mjs';

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
