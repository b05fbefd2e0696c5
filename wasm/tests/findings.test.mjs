// The page's table, which is the engine's (`Checker`, keyrot::view) run in
// the page's worker: its rows against analyze's findings, sorting,
// filtering, paging, the chart's bins and the exports; with several files
// and exempted findings too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Checker, analyze, analyzeMany, checkCsv } from '../pkg/node/keyrot.js';
import { STATUSES } from '../www/lib/findings.js';
import { HEADER, readCase, thrown } from './cases.mjs';

const AS_OF = '2026-11-26T00:00:00Z';
const row = (user, slot1, slot2 = 'false,N/A') =>
  `${user},arn:aws:iam::111122223333:user/${user},2025-01-01T00:00:00Z,false,N/A,N/A,N/A,false,${slot1},N/A,N/A,N/A,${slot2},N/A,N/A,N/A,false,N/A,false,N/A`;
// carol passes, alice fails, Bob is invalid (no rotation date), bob2 is due soon, dave is inactive.
const CSV = [
  HEADER,
  row('carol', 'true,2026-11-16T00:00:00Z'),
  row('alice', 'true,2026-05-10T00:00:00Z'),
  row('Bob', 'true,N/A'),
  row('bob2', 'true,2026-09-02T00:00:00Z'),
  row('dave', 'false,2025-10-22T00:00:00Z'),
  row('u10', 'true,2026-11-20T00:00:00Z'),
  row('u2', 'true,2026-11-21T00:00:00Z'),
].join('\n');

/** What `c.export(format, write)` hands `write`, joined; `pieces` gets each piece's length. */
const exported = (c, format, pieces = []) => {
  const parts = [];
  c.export(format, (piece) => {
    parts.push(piece.slice());
    pieces.push(piece.length);
  });
  return Buffer.concat(parts);
};

const checker = (input = CSV, options = { asOf: AS_OF }) => new Checker([{ name: 'r.csv', input }], options);
const users = (c, query) => {
  const n = c.select(query);
  return c.rows(0, n).map((f) => f.user);
};

test('the rows are the findings analyze gives, in input order, naming their file', () => {
  const c = checker();
  const { findings } = analyze(CSV, { asOf: AS_OF });
  assert.equal(c.size, findings.length);
  assert.deepStrictEqual(c.rows(0, 100), findings.map((f) => ({ source: 'r.csv', ...f })));
  const meta = c.meta();
  assert.equal('findings' in meta, false);
  assert.deepStrictEqual(meta.summary, analyze(CSV, { asOf: AS_OF }).summary);
});

test('sorting: urgent first, case-insensitive names with numbers by value, missing values last both ways', () => {
  const c = checker();
  const statuses = (query) => {
    const n = c.select(query);
    return c.rows(0, n).map((f) => f.status);
  };
  assert.deepStrictEqual(statuses({ sort: 'status' }), ['fail', 'invalid', 'due_soon', 'pass', 'pass', 'pass', 'inactive']);
  assert.deepStrictEqual(users(c, { sort: 'user' }), ['alice', 'Bob', 'bob2', 'carol', 'dave', 'u2', 'u10']);
  assert.deepStrictEqual(users(c, { sort: 'user', descending: true }), ['u10', 'u2', 'dave', 'carol', 'bob2', 'Bob', 'alice']);
  const ages = (descending) => {
    const n = c.select({ sort: 'age_days', descending });
    return c.rows(0, n).map((f) => f.age_days);
  };
  assert.deepStrictEqual(ages(false), [5, 6, 10, 85, 200, 400, null]);
  assert.deepStrictEqual(ages(true), [400, 200, 85, 10, 6, 5, null]);
});

test('filters by status, account and part of the user name; pages through them', () => {
  const c = checker();
  assert.deepStrictEqual(users(c, { status: 'pass' }), ['carol', 'u10', 'u2']);
  assert.deepStrictEqual(users(c, { user: ' BOB ' }), ['Bob', 'bob2']);
  assert.deepStrictEqual(users(c, { account: '999999999999' }), []);
  assert.equal(c.select({}), 7);
  assert.deepStrictEqual(c.rows(5, 100).map((f) => f.user), ['u10', 'u2']);
  assert.deepStrictEqual(c.rows(7, 100), []);
  assert.equal(thrown(() => c.select({ sort: 'reason' })).code, 'invalid_policy');
  assert.equal(thrown(() => c.select({ colour: 'red' })).column, 'colour');
});

test('the histogram: buckets that follow the ages present, a week wide up to the limit, then 6 m, 1 y, 2 y', () => {
  const hist = checker().histogram();
  assert.equal(hist.max_age_days, 90);
  assert.equal(hist.unusable, 1, 'the invalid key');
  assert.equal(hist.shown, 6);
  assert.equal(hist.oldest, 400);
  const labels = hist.bins.map((b) => b.label);
  assert.deepStrictEqual(labels.slice(0, 2), ['0-7 d', '7-14 d']);
  // The limit starts a bucket; the oldest key (400 days) ends the axis at 2 years.
  assert.deepStrictEqual(labels.slice(-4), ['84-90 d', '90-180 d', '6 m-1 y', '1-2 y']);
  assert.equal(hist.bins.at(-1).end, 730);
  const total = hist.bins.reduce((n, b) => n + b.counts.fail + b.counts.due_soon + b.counts.pass + b.counts.inactive, 0);
  assert.equal(total, 6);
  const at = (age) => hist.bins.find((b) => b.start <= age && (b.end === null || age < b.end));
  assert.equal(at(200).counts.fail, 1);
  assert.equal(at(85).counts.due_soon, 1);
  assert.equal(hist.bins.at(-1).counts.inactive, 1, 'the 400-day key is in the last bin');
  assert.equal(hist.tallest, 2, 'the 5- and 6-day keys');
});

test('a bar of the chart selects its keys: age_from and age_to are its start and end', () => {
  const c = checker();
  const hist = c.histogram();
  for (const bin of hist.bins) {
    const n = c.select({ age_from: bin.start, age_to: bin.end });
    const { fail, due_soon, pass, inactive } = bin.counts;
    assert.equal(n, fail + due_soon + pass + inactive, bin.label);
    for (const f of c.rows(0, n)) assert.ok(f.age_days >= bin.start && (bin.end === null || f.age_days < bin.end), f.user);
  }
  assert.deepStrictEqual(users(c, { age_from: 365, age_to: 730 }), ['dave']);
  assert.deepStrictEqual(users(c, { age_from: 84, age_to: 90, status: 'due_soon' }), ['bob2']);
});

test('triage order: the most severe first, then the furthest overdue, then the oldest', () => {
  const c = checker();
  const n = c.select({ sort: 'triage' });
  const rows = c.rows(0, n);
  assert.deepStrictEqual(rows.map((f) => f.user), ['alice', 'Bob', 'bob2', 'dave', 'carol', 'u10', 'u2']);
  const rank = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
  for (let i = 1; i < rows.length; i++) assert.ok(rank[rows[i - 1].severity] <= rank[rows[i].severity], rows[i].user);
  assert.deepStrictEqual(users(c, { severity: 'high' }), ['alice', 'Bob']);
});

test('the CSV export is checkCsv\'s bytes; a selection exports its rows in its order', () => {
  const c = checker();
  const text = (bytes) => new TextDecoder().decode(bytes);
  c.select({});
  assert.equal(text(exported(c, 'csv')), text(checkCsv(CSV, { asOf: AS_OF, source: 'r.csv' }).csv));
  c.select({ status: 'fail' });
  assert.equal(text(exported(c, 'csv')), text(checkCsv(CSV, { asOf: AS_OF, source: 'r.csv', only: 'fail' }).csv));
  c.select({ sort: 'user', descending: true, status: 'pass' });
  const lines = text(exported(c, 'csv')).trimEnd().split('\n');
  assert.deepStrictEqual(lines.slice(1).map((l) => l.split(',')[2]), ['u10', 'u2', 'carol']);
  const json = JSON.parse(text(exported(c, 'json')));
  assert.deepStrictEqual(json.findings.map((f) => f.user), ['u10', 'u2', 'carol']);
  assert.equal(json.input_sha256.length, 64);
  const sarif = JSON.parse(text(exported(c, 'sarif')));
  assert.equal(sarif.version, '2.1.0');
  assert.equal(thrown(() => exported(c, 'xml')).message.includes('unknown variant'), true);
});

test('several files: filter by file, ties keep each file\'s order; a file that fails holds no row', () => {
  const c = readCase('many_reports_one_verdict');
  const many = analyzeMany(c.inputs, c.options);
  const table = new Checker(c.inputs, c.options);
  assert.deepStrictEqual(table.rows(0, 100), many.findings);
  assert.deepStrictEqual(users(table, { source: '1-prod.csv' }), ['alice', 'bob']);
  const n = table.select({ sort: 'account_id' });
  assert.deepStrictEqual(
    table.rows(0, n).map((f) => `${f.account_id} ${f.source} ${f.user}`),
    ['111111111111 1-prod.csv alice', '111111111111 1-prod.csv bob', '111111111111 3-prod-again.csv Alice', '222222222222 2-staging.json carol'],
  );
  assert.deepStrictEqual(users(table, { account: '111111111111', status: 'due_soon' }), ['Alice']);
  assert.deepStrictEqual(table.meta().reports.map((r) => r.source), many.reports.map((r) => r.source));

  const broken = new Checker([...c.inputs, { name: 'broken.csv', input: 'user,arn\nx,y\n' }], c.options);
  assert.equal(broken.size, many.findings.length);
  assert.equal(broken.meta().reports.at(-1).error.code, 'missing_columns');
  // One file that cannot be read throws, as analyze does.
  assert.equal(thrown(() => checker('user,arn\nx,y\n')).code, 'missing_columns');
});

test('exempted findings: filter by exemption, status kept, counted', () => {
  const c = readCase('exemptions_in_force_expired_and_unused');
  const table = new Checker([{ name: 'r.csv', input: c.input }], c.options);
  const n = table.select({ exempted: true });
  assert.deepStrictEqual(table.rows(0, n).map((f) => [f.user, f.slot, f.status]), [
    ['legacy-appliance', 1, 'fail'],
    ['legacy-printer', 1, 'fail'],
    ['expiring-today', 1, 'fail'],
  ]);
  assert.equal(n, table.meta().summary.exempted);
  const m = table.select({ exempted: false });
  assert.deepStrictEqual(table.rows(0, m).map((f) => [f.user, f.slot]), [
    ['legacy-printer', 2],
    ['expired-yesterday', 1],
    ['other-account', 1],
  ]);
  assert.ok(table.meta().anomalies.some((a) => a.code === 'exemption_expired'));
});

test('a read function is read in pieces', () => {
  const bytes = new TextEncoder().encode(CSV);
  let at = 0;
  let calls = 0;
  const read = (buf) => {
    calls++;
    const n = Math.min(buf.length, 100, bytes.length - at);
    buf.set(bytes.subarray(at, at + n));
    at += n;
    return n;
  };
  const c = new Checker([{ name: 'r.csv', input: read }], { asOf: AS_OF });
  assert.equal(c.size, 7);
  assert.ok(calls > 5, `${calls} calls`);
});

test('the page names every status the engine has', () => {
  assert.deepStrictEqual(STATUSES, ['fail', 'invalid', 'due_soon', 'pass', 'inactive']);
  const n = checker().select({ sort: 'status' });
  assert.equal(n, 7);
});

test('an export of many rows comes in pieces of about a mebibyte, and what write throws is thrown', () => {
  const rows = Array.from({ length: 12_000 }, (_, i) => row(`user${i}`, 'true,2026-05-10T00:00:00Z', 'true,2026-11-01T00:00:00Z'));
  const big = [HEADER, ...rows].join('\n');
  const c = checker(big);
  const pieces = [];
  const csv = exported(c, 'csv', pieces);
  assert.equal(csv.toString(), Buffer.from(checkCsv(big, { asOf: AS_OF, source: 'r.csv' }).csv).toString());
  assert.ok(csv.length > 3 << 20, `${csv.length} bytes`);
  assert.ok(pieces.length >= 3 && pieces.slice(0, -1).every((n) => n >= 1 << 20 && n < (1 << 20) + 4096), String(pieces));
  const ocsf = exported(c, 'ocsf', []);
  assert.equal(ocsf.toString().trimEnd().split('\n').length, 24_000);
  const boom = new Error('disk full');
  assert.equal(thrown(() => c.export('csv', () => { throw boom; })), boom);
});
