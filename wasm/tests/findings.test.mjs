// The page's table logic (www/lib/findings.js): sorting, filtering, paging,
// the chart's bins and the CSV export; with findings of several files
// (analyzeMany) and exempted findings too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FindingsView, comparator, histogram, matches, neutralize, niceStep, toCsv, EXPORT_COLUMNS, MANY_EXPORT_COLUMNS } from '../www/lib/findings.js';
import { analyze, analyzeMany } from '../pkg/node/keyrot.js';
import { readCase } from './cases.mjs';

function finding(overrides) {
  return {
    account_id: '111122223333',
    user: 'u',
    arn: 'arn:aws:iam::111122223333:user/u',
    is_root: false,
    slot: 1,
    status: 'pass',
    active: true,
    last_rotated: '2026-11-01T00:00:00Z',
    age_days: 25,
    due_at: '2027-01-30T00:00:00Z',
    days_until_due: 65,
    last_used: 'never',
    last_used_region: null,
    last_used_service: null,
    used_since_rotation: false,
    exempted: null,
    reason: 'active key 25 days old; limit 90',
    code: null,
    line: 2,
    ...overrides,
  };
}

const findings = [
  finding({ user: 'carol', status: 'pass', age_days: 10, line: 2 }),
  finding({ user: 'alice', status: 'fail', age_days: 200, line: 3, account_id: '222233334444' }),
  finding({ user: 'Bob', status: 'invalid', age_days: null, line: 4 }),
  finding({ user: 'bob2', status: 'due_soon', age_days: 85, line: 5, last_used: '2026-11-20T10:00:00Z' }),
  finding({ user: 'dave', status: 'inactive', age_days: 400, line: 6, slot: 2 }),
];

test('sorting by status puts the urgent first', () => {
  const sorted = [...findings].sort(comparator('status'));
  assert.deepStrictEqual(sorted.map((f) => f.status), ['fail', 'invalid', 'due_soon', 'pass', 'inactive']);
});

test('missing values sort last in both directions; ties keep input order', () => {
  assert.deepStrictEqual([...findings].sort(comparator('age_days')).map((f) => f.age_days), [10, 85, 200, 400, null]);
  assert.deepStrictEqual([...findings].sort(comparator('age_days', 'desc')).map((f) => f.age_days), [400, 200, 85, 10, null]);
  const tied = [finding({ line: 9 }), finding({ line: 3 }), finding({ line: 3, slot: 2 })];
  assert.deepStrictEqual(tied.sort(comparator('account_id')).map((f) => [f.line, f.slot]), [[3, 1], [3, 2], [9, 1]]);
});

test('user names sort ignoring case; last use sorts by date with never last', () => {
  assert.deepStrictEqual([...findings].sort(comparator('user')).map((f) => f.user), ['alice', 'Bob', 'bob2', 'carol', 'dave']);
  assert.equal([...findings].sort(comparator('last_used'))[0].user, 'bob2');
  assert.throws(() => comparator('reason'), /cannot sort by reason/);
});

test('filters by status, account and part of the user name', () => {
  assert.equal(matches(findings[1], { status: 'fail' }), true);
  assert.equal(matches(findings[0], { status: 'fail' }), false);
  assert.equal(matches(findings[1], { account: '222233334444' }), true);
  assert.equal(matches(findings[0], { account: '222233334444' }), false);
  assert.deepStrictEqual(findings.filter((f) => matches(f, { user: 'BOB' })).map((f) => f.user), ['Bob', 'bob2']);
});

test('pages through the filtered, sorted rows', () => {
  const view = new FindingsView(findings);
  const first = view.page({ sort: 'user', dir: 'desc' }, 0, 2);
  assert.deepStrictEqual(first.rows.map((f) => f.user), ['dave', 'carol']);
  assert.deepStrictEqual([first.total, first.pages, first.page, first.first], [5, 3, 0, 1]);
  const last = view.page({ sort: 'user', dir: 'desc' }, 99, 2);
  assert.deepStrictEqual([last.page, last.first, last.rows.map((f) => f.user)], [2, 5, ['alice']]);
  const filtered = view.page({ sort: 'user', dir: 'desc', user: 'bob' }, 0, 2);
  assert.deepStrictEqual(filtered.rows.map((f) => f.user), ['bob2', 'Bob']);
  const none = view.page({ status: 'fail', user: 'zed' }, 0, 2);
  assert.deepStrictEqual([none.total, none.pages, none.first, none.rows.length], [0, 1, 0, 0]);
  // The default order is the input order, unchanged.
  assert.deepStrictEqual(view.page({}, 0, 10).rows, findings);
});

test('the histogram bins usable ages per status and marks the overflow', () => {
  const h = histogram(findings, 90);
  assert.equal(h.shown, 4);
  assert.equal(h.unusable, 1);
  // The axis runs past the oldest age (400 days, under 6 x 90): 401 days in
  // about 40 bins rounds up to bins of 20 days.
  assert.equal(h.binDays, 20);
  const total = h.bins.reduce((n, b) => n + b.counts.fail + b.counts.due_soon + b.counts.pass + b.counts.inactive, 0);
  assert.equal(total, 4);
  const bin = (age) => h.bins.find((b) => b.start <= age && age < b.end);
  assert.equal(bin(200).counts.fail, 1);
  assert.equal(bin(85).counts.due_soon, 1);
  // Ages beyond six times the limit share the last bin.
  const far = histogram([finding({ age_days: 5000, status: 'fail' })], 90);
  assert.equal(far.overflow, true);
  assert.equal(far.bins.at(-1).counts.fail, 1);
  assert.equal(far.bins.at(-1).end, 540);
});

test('niceStep picks 1, 2 or 5 times a power of ten', () => {
  assert.deepStrictEqual([0.3, 1, 3, 4.5, 7, 12, 260].map(niceStep), [0.5, 1, 5, 5, 10, 20, 500]);
});

test('neutralize prefixes text that a spreadsheet would run', () => {
  for (const text of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) assert.equal(neutralize(text), `'${text}`);
  for (const text of ['alice', '1+1', '', "'=already", ' =space']) assert.equal(neutralize(text), text);
});

test('the CSV export quotes, neutralizes text cells and keeps numbers', () => {
  const csv = toCsv([
    finding({ user: '=HYPERLINK("x")', reason: 'a, b', days_until_due: -3, exempted: { reason: 'ok' } }),
    finding({ user: 'plain', last_rotated: null, code: null }),
  ]);
  const lines = csv.split('\r\n');
  assert.equal(lines[0], EXPORT_COLUMNS.join(','));
  assert.equal(lines.length, 4);
  assert.equal(lines[3], '');
  const first = lines[1];
  assert.ok(first.startsWith('111122223333,"\'=HYPERLINK(""x"")",'), first);
  assert.ok(first.includes(',-3,'), 'a negative number stays a number');
  assert.ok(first.includes(',"a, b",'));
  assert.ok(first.includes(',"{""reason"":""ok""}",'));
  assert.ok(lines[2].includes(',pass,true,,25,'), 'null is an empty cell');
});

test('findings of several files: filter by file, sort keeps each file\'s order on ties', () => {
  const c = readCase('many_reports_one_verdict');
  const many = analyzeMany(c.inputs, c.options);
  const view = new FindingsView(many.findings);
  assert.deepStrictEqual(
    view.apply({ source: '1-prod.csv' }).map((f) => f.user),
    many.findings.filter((f) => f.source === '1-prod.csv').map((f) => f.user),
  );
  assert.deepStrictEqual(view.apply({ source: '1-prod.csv' }).map((f) => f.user), ['alice', 'bob']);
  // Every finding is on line 2 or 3 of its own file: sorting by account keeps
  // the files' order within an account instead of mixing lines of files.
  const byAccount = view.apply({ sort: 'account_id' });
  assert.deepStrictEqual(
    byAccount.map((f) => `${f.account_id} ${f.source} ${f.user}`),
    ['111111111111 1-prod.csv alice', '111111111111 1-prod.csv bob', '111111111111 3-prod-again.csv Alice', '222222222222 2-staging.json carol'],
  );
  assert.deepStrictEqual(view.apply({ sort: 'source', dir: 'desc' }).map((f) => f.source), ['3-prod-again.csv', '2-staging.json', '1-prod.csv', '1-prod.csv']);
  assert.deepStrictEqual(view.apply({ account: '111111111111', status: 'due_soon' }).map((f) => f.user), ['Alice']);
});

test('the export of several files names the file first', () => {
  const c = readCase('many_reports_one_verdict');
  const many = analyzeMany(c.inputs, c.options);
  const lines = toCsv(many.findings, MANY_EXPORT_COLUMNS).split('\r\n');
  assert.equal(lines[0], `source,${EXPORT_COLUMNS.join(',')}`);
  assert.ok(lines[1].startsWith('1-prod.csv,111111111111,alice,'), lines[1]);
  assert.ok(lines[4].startsWith('3-prod-again.csv,111111111111,Alice,'), lines[4]);
});

test('exempted findings: filter by exemption, status kept', () => {
  const c = readCase('exemptions_in_force_expired_and_unused');
  const result = analyze(c.input, c.options);
  assert.equal(typeof c.options.exemptions, 'string', 'the TOML text is the option');
  const view = new FindingsView(result.findings);
  const exempted = view.apply({ exempted: 'yes' });
  assert.deepStrictEqual(exempted.map((f) => [f.user, f.slot, f.status]), [
    ['legacy-appliance', 1, 'fail'],
    ['legacy-printer', 1, 'fail'],
    ['expiring-today', 1, 'fail'],
  ]);
  assert.equal(exempted.length, result.summary.exempted);
  assert.deepStrictEqual(view.apply({ exempted: 'no' }).map((f) => [f.user, f.slot]), [
    ['legacy-printer', 2],
    ['expired-yesterday', 1],
    ['other-account', 1],
  ]);
  assert.equal(matches(finding({ exempted: null }), { exempted: 'yes' }), false);
  assert.equal(matches(finding({ exempted: { reason: 'x' } }), { exempted: 'no' }), false);
});
