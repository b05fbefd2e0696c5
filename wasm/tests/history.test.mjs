// Runs every golden history case of testdata/history (the folder
// core/tests/history.rs and python/tests/test_history.py read) through the
// package's `history(inputs, options)`, as they do: the reports of
// `reports/` in name order as `{ name, input }` (bytes, and again as text),
// options.json with JS names (`times` and `time_from_name` become `times`
// and `timeFromName`); a success must equal expected.json after a JSON
// round trip, an error case must throw an Error with the expected code,
// line, column and value. Then the errors of the options themselves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { history } from '../pkg/node/keyrot.js';
import { camelCase, outcome, testdata } from './cases.mjs';

const historyDir = new URL('history/', testdata);
const cases = readdirSync(historyDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(new URL(`${d.name}/options.json`, historyDir)))
  .map((d) => d.name)
  .sort();

/** A case's reports (`{ name, input }`, bytes or text), options with JS names, and expected.json. */
function readHistoryCase(slug, asText = false) {
  const dir = new URL(`${slug}/`, historyDir);
  const contract = JSON.parse(readFileSync(new URL('options.json', dir), 'utf8'));
  const options = Object.fromEntries(Object.entries(contract).map(([k, v]) => [camelCase(k), v]));
  const reportsDir = new URL('reports/', dir);
  const inputs = readdirSync(reportsDir)
    .sort()
    .map((name) => {
      const bytes = readFileSync(new URL(name, reportsDir));
      return { name, input: asText ? bytes.toString('utf8') : new Uint8Array(bytes) };
    });
  return { inputs, options, expected: JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) };
}

test('every golden history case is here', () => {
  // The list: a clean rotation, a stall, deactivated then deleted,
  // deleted and replaced, a user deleted, overdue then fixed, an account
  // added midway, two reports at one time, a report without a time.
  assert.ok(cases.length >= 9, `${cases.length} cases`);
  assert.ok(cases.some((c) => JSON.parse(readFileSync(new URL(`${c}/expected.json`, historyDir), 'utf8')).error));
});

for (const slug of cases) {
  for (const asText of [false, true]) {
    test(`${slug} (${asText ? 'text' : 'bytes'})`, () => {
      const c = readHistoryCase(slug, asText);
      const actual = outcome(() => history(c.inputs, c.options));
      if (actual.thrown) {
        assert.ok(actual.thrown.message.length > 0, 'the error has a message');
        delete actual.thrown;
      }
      assert.deepStrictEqual(actual, c.expected);
    });
  }
}

test('a report without a time names itself and says how to give one', () => {
  const c = readHistoryCase('report_without_time');
  assert.throws(
    () => history(c.inputs, c.options),
    (err) => err.code === 'no_report_time' && err.value === 'undated.csv' && /times/.test(err.message) && /timeFromName/.test(err.message),
  );
});

test('the options of history are read as the other functions read theirs', () => {
  const { inputs } = readHistoryCase('clean_rotation_every_step');
  const bad = (options, check) => assert.throws(() => history(inputs, options), check);
  // Each report is judged at its own time: asOf is not one of the options.
  bad({ asOf: '2026-01-01T00:00:00Z', timeFromName: '%Y-%m-%d' }, (e) => e.code === 'invalid_policy' && e.column === 'asOf');
  bad({ timeFromName: '%Q' }, (e) => e.code === 'invalid_policy' && e.column === 'time_from_name' && e.value === '%Q');
  bad({ timeFromName: '%Y-%m-%d', stallDays: 5000 }, (e) => e.code === 'invalid_policy' && e.column === 'stall_days');
  bad({ times: { 'elsewhere.csv': '2026-01-01' } }, (e) => e.code === 'invalid_policy' && e.column === 'times' && e.value === 'elsewhere.csv');
  bad({ times: { 'acct-2026-03-26.csv': 'yesterday' } }, (e) => e.code === 'invalid_as_of' && e.column === 'times');
  bad({ stall_days: 3 }, (e) => e.code === 'invalid_policy' && /did you mean `stallDays`/.test(e.message));
  bad('%Y', (e) => e.code === 'invalid_policy');
  assert.throws(() => history('a.csv', {}), (e) => e instanceof TypeError && e.code === 'invalid_input');
  // Without times, the CSV reports have none: the first is named.
  bad({}, (e) => e.code === 'no_report_time' && e.value === inputs[0].name);
});

test('times given per report win over the names and say so', () => {
  const { inputs } = readHistoryCase('clean_rotation_every_step');
  const first = inputs[0].name;
  const result = history(inputs, { timeFromName: '%Y-%m-%d', times: { [first]: '2026-03-25' }, stallDays: 30 });
  const report = result.reports.find((r) => r.source === first);
  assert.equal(report.time, '2026-03-25T00:00:00Z');
  assert.equal(report.time_source, 'given');
  assert.ok(result.reports.filter((r) => r.source !== first).every((r) => r.time_source === 'file_name'));
});
