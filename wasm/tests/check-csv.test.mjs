// checkCsv, the fast path: the findings as the CSV bytes the command writes.
// Input kinds (a read function among them), the options it adds (only,
// columns, source, write), agreement with analyze on a report of many
// chunks, errors, and (when KEYROT_CLI names a
// built `keyrot` binary, as wasm/ci.sh does) the same bytes as
// `keyrot check --format csv` on the real samples and on a large report.
// The golden cases run through it in golden.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze, checkCsv } from '../pkg/node/keyrot.js';
import { CSV_COLUMNS, HEADER, findingsCsv, testdata, thrown } from './cases.mjs';

/** A data row; `user` is the cell as written (it may be quoted), the ARN's name made of it. */
function row(user, key1, key2 = ['false', 'N/A'], account = '111122223333') {
  const name = user.replace(/[^\w+=.@-]/g, '-');
  return (
    `${user},arn:aws:iam::${account}:user/${name},2024-01-01T00:00:00Z,false,N/A,N/A,N/A,false,` +
    `${key1[0]},${key1[1]},2026-11-20T10:00:00Z,us-east-1,s3,${key2[0]},${key2[1]},N/A,N/A,N/A,false,N/A,false,N/A`
  );
}

const CSV = [
  HEADER,
  row('exactly-90d', ['true', '2026-08-28T00:00:00Z']),
  row('over-by-1s', ['true', '2026-08-27T23:59:59Z'], ['true', '2026-11-01T00:00:00Z']),
  row('=sum(a1)', ['true', '2025-01-01T00:00:00Z']),
  row('old-inactive', ['false', '2020-01-01T00:00:00Z']),
]
  .join('\n')
  .concat('\n');
const AS_OF = '2026-11-26T00:00:00Z';
const text = (bytes) => new TextDecoder().decode(bytes);

/** The CSV analyze's findings give, written by the independent writer of cases.mjs. */
function fromAnalyze(input, options, columns = CSV_COLUMNS) {
  const { only, columns: _, source = '', ...rest } = options;
  const findings = analyze(input, rest).findings.filter((f) => !only || only.includes(f.status));
  return findingsCsv(findings, source, columns);
}

test('every finding, every column, by default; the result is the analysis without findings', () => {
  const result = checkCsv(CSV, { asOf: AS_OF });
  assert.ok(result.csv instanceof Uint8Array);
  assert.equal(text(result.csv), fromAnalyze(CSV, { asOf: AS_OF }));
  assert.equal(result.csv_rows, 5);
  assert.ok(!('findings' in result));
  const { findings, ...analysis } = analyze(CSV, { asOf: AS_OF });
  const { csv, csv_rows: rows, ...rest } = result;
  assert.deepStrictEqual(rest, analysis);
  assert.equal(Object.getPrototypeOf(result), Object.prototype);
  assert.equal(findings.length, rows);
});

test('only, columns and source choose the rows and cells; the summary counts every key', () => {
  const result = checkCsv(CSV, { asOf: AS_OF, only: ['fail'], columns: ['source', 'user', 'slot', 'age_days'], source: 'a,b.csv' });
  assert.equal(text(result.csv), 'source,user,slot,age_days\n"a,b.csv",over-by-1s,1,90\n"a,b.csv",\'=sum(a1),1,694\n');
  assert.equal(result.csv_rows, 2);
  assert.equal(result.summary.keys, 5);
  assert.equal(result.summary.fail, 2);

  // A status or a column alone; comma-separated strings as on the command line; due-soon is due_soon.
  assert.equal(text(checkCsv(CSV, { asOf: AS_OF, only: 'due_soon', columns: 'user' }).csv), 'user\nexactly-90d\n');
  assert.equal(text(checkCsv(CSV, { asOf: AS_OF, only: 'due-soon,inactive', columns: 'user,status' }).csv),
    'user,status\nexactly-90d,due_soon\nold-inactive,inactive\n');
  // A column twice is written twice, as the command does.
  assert.equal(text(checkCsv(CSV, { asOf: AS_OF, only: ['pass'], columns: ['slot', 'slot'] }).csv), 'slot,slot\n2,2\n');
  // Nothing matches: the header alone.
  const none = checkCsv(CSV, { asOf: AS_OF, only: ['invalid'] });
  assert.equal(text(none.csv), `${CSV_COLUMNS.join(',')}\n`);
  assert.equal(none.csv_rows, 0);
  // null and undefined mean the defaults.
  assert.deepStrictEqual(checkCsv(CSV, { asOf: AS_OF, only: null, columns: undefined, source: null }), checkCsv(CSV, { asOf: AS_OF }));
});

test('a string, a Uint8Array, a Buffer, a subarray and an ArrayBuffer give the same result', () => {
  const expected = checkCsv(CSV, { asOf: AS_OF });
  const bytes = new TextEncoder().encode(CSV);
  assert.deepStrictEqual(checkCsv(bytes, { asOf: AS_OF }), expected);
  assert.deepStrictEqual(checkCsv(Buffer.from(CSV), { asOf: AS_OF }), expected);
  assert.deepStrictEqual(checkCsv(bytes.buffer, { asOf: AS_OF }), expected);
  const padded = new Uint8Array(bytes.length + 20);
  padded.set(bytes, 10);
  assert.deepStrictEqual(checkCsv(padded.subarray(10, 10 + bytes.length), { asOf: AS_OF }), expected);
  assert.equal(bytes.length, new TextEncoder().encode(CSV).length, 'the input is not changed');
});

/** A read function over `bytes` (as `buf => fs.readSync(fd, buf)`), giving at most `most` bytes a call. */
function reader(bytes, most = Infinity, calls = []) {
  let at = 0;
  return (buf) => {
    calls.push(buf.length);
    const n = Math.min(buf.length, most, bytes.length - at);
    buf.set(bytes.subarray(at, at + n));
    at += n;
    return n;
  };
}

test('a read function gives the same result, however little it gives a call', () => {
  const expected = checkCsv(CSV, { asOf: AS_OF });
  const bytes = new TextEncoder().encode(CSV);
  for (const most of [1, 7, 100, Infinity]) {
    const calls = [];
    assert.deepStrictEqual(checkCsv(reader(bytes, most, calls), { asOf: AS_OF }), expected, `${most} a call`);
    assert.ok(calls.every((n) => n > 0), 'never asked for nothing');
  }
  // A function that gives nothing is an empty input.
  assert.equal(thrown(() => checkCsv(() => 0, { asOf: AS_OF })).code, 'empty_input');
});

test('what a read function throws is thrown; a bad count is an io error', () => {
  const boom = new RangeError('disk on fire');
  let calls = 0;
  const err = thrown(() =>
    checkCsv((buf) => {
      if (++calls > 1) throw boom;
      return reader(new TextEncoder().encode(CSV.slice(0, 300)))(buf);
    }, { asOf: AS_OF }),
  );
  assert.equal(err, boom, 'the very value thrown');
  for (const bad of [-1, 1.5, '10', null, 1 << 30]) {
    const e = thrown(() => checkCsv(() => bad, { asOf: AS_OF }));
    assert.equal(e.code, 'io', String(bad));
    assert.match(e.message, /the read function returned/);
  }
});

test('write takes every piece of the CSV, in order, each a new array; csv is then empty', () => {
  const pieces = [];
  const result = checkCsv(CSV, { asOf: AS_OF, write: (bytes) => pieces.push(bytes) });
  const expected = checkCsv(CSV, { asOf: AS_OF });
  assert.equal(result.csv.length, 0);
  assert.equal(result.csv_rows, expected.csv_rows);
  assert.ok(pieces.length >= 2, 'the header line, then the rows');
  assert.equal(text(pieces[0]), `${CSV_COLUMNS.join(',')}\n`);
  assert.ok(pieces.every((p) => p instanceof Uint8Array && p.byteLength === p.buffer.byteLength));
  assert.equal(pieces.map(text).join(''), text(expected.csv));
  const { csv: _a, ...rest } = result;
  const { csv: _b, ...expectedRest } = expected;
  assert.deepStrictEqual(rest, expectedRest);

  const boom = new Error('stream closed');
  assert.equal(thrown(() => checkCsv(CSV, { asOf: AS_OF, write: () => { throw boom; } })), boom);
  const err = thrown(() => checkCsv(CSV, { asOf: AS_OF, write: 'out.csv' }));
  assert.deepStrictEqual([err.code, err.column, err.value], ['invalid_policy', 'write', 'out.csv']);
  // An input error after some pieces were written is thrown all the same.
  const bad = CSV.replace('2025-01-01T00:00:00Z', 'yesterday');
  assert.equal(thrown(() => checkCsv(bad, { asOf: AS_OF, write: () => {} })).code, 'invalid_timestamp');
});

test('a report of many chunks gives the findings analyze gives, in order, CRLF and quotes included', () => {
  const rows = [HEADER];
  for (let i = 0; i < 16000; i++) {
    const user = i % 1000 === 7 ? `"quoted, ${i}"` : `user-${i}`;
    const day = String(1 + (i % 28)).padStart(2, '0');
    const month = String(1 + (i % 12)).padStart(2, '0');
    rows.push(row(user, ['true', `2026-${month}-${day}T00:00:00Z`], [i % 3 ? 'true' : 'false', `2025-${month}-${day}T12:00:00Z`], String(100000000000 + (i % 5))));
  }
  const report = rows.join('\r\n') + '\r\n';
  assert.ok(report.length > 3 << 20, 'more than a few chunks');
  for (const options of [{ asOf: AS_OF }, { asOf: AS_OF, only: ['fail', 'due_soon'], columns: ['line', 'user', 'reason'] }]) {
    const result = checkCsv(Buffer.from(report), options);
    const expected = fromAnalyze(report, options, options.columns ?? CSV_COLUMNS);
    assert.equal(text(result.csv), expected);
    assert.equal(result.csv_rows, expected.split('\n').length - 2);
    // Streamed both ways, in uneven pieces: the same bytes.
    const pieces = [];
    const streamed = checkCsv(reader(Buffer.from(report), 77777), { ...options, write: (p) => pieces.push(p) });
    assert.ok(pieces.length > 3, `${pieces.length} pieces`);
    assert.equal(Buffer.concat(pieces).toString('utf8'), expected);
    assert.equal(streamed.csv_rows, result.csv_rows);
  }
});

test('a CSV that fills less than half of the buffer is returned at its size', () => {
  const result = checkCsv(CSV, { asOf: AS_OF, only: 'fail', columns: 'slot' });
  assert.equal(result.csv.byteLength, result.csv.buffer.byteLength);
});

test('errors are those of analyze, with code, line, column and value', () => {
  const bad = CSV.replace('old-inactive,arn:aws:iam::111122223333:user/old-inactive,2024-01-01T00:00:00Z,false', 'old-inactive,arn:aws:iam::111122223333:user/old-inactive,2024-01-01T00:00:00Z,maybe');
  const err = thrown(() => checkCsv(bad, { asOf: AS_OF }));
  const expected = thrown(() => analyze(bad, { asOf: AS_OF }));
  assert.ok(err instanceof Error);
  assert.deepStrictEqual([err.code, err.line, err.column, err.value, err.message], [expected.code, expected.line, expected.column, expected.value, expected.message]);
  assert.equal(err.line, 5);
  assert.equal(thrown(() => checkCsv('', { asOf: AS_OF })).code, 'empty_input');

  const typeErr = thrown(() => checkCsv(42));
  assert.ok(typeErr instanceof TypeError);
  assert.equal(typeErr.code, 'invalid_input');
});

test('bad options: unknown names, statuses and columns; only checkCsv takes only, columns and source', () => {
  let err = thrown(() => checkCsv(CSV, { asOf: AS_OF, only: ['failed'] }));
  assert.deepStrictEqual([err.code, err.column, err.value], ['invalid_policy', 'only', 'failed']);
  assert.match(err.message, /unknown status `failed`/);
  err = thrown(() => checkCsv(CSV, { asOf: AS_OF, columns: ['user', 'colour'] }));
  assert.deepStrictEqual([err.code, err.column, err.value], ['invalid_policy', 'columns', 'colour']);
  err = thrown(() => checkCsv(CSV, { asOf: AS_OF, only: [] }));
  assert.deepStrictEqual([err.code, err.column], ['invalid_policy', 'only']);
  err = thrown(() => checkCsv(CSV, { asOf: AS_OF, columns: [2] }));
  assert.deepStrictEqual([err.code, err.column], ['invalid_policy', 'columns']);
  err = thrown(() => checkCsv(CSV, { asOf: AS_OF, source: 1 }));
  assert.deepStrictEqual([err.code, err.column], ['invalid_policy', 'source']);
  err = thrown(() => checkCsv(CSV, { as_of: AS_OF }));
  assert.deepStrictEqual([err.code, err.column], ['invalid_policy', 'as_of']);
  assert.match(err.message, /unknown option `as_of` for checkCsv.*did you mean `asOf`/);
  err = thrown(() => checkCsv(CSV, { accessKeys: '[]' }));
  assert.equal(err.code, 'invalid_policy');
  err = thrown(() => analyze(CSV, { only: ['fail'] }));
  assert.deepStrictEqual([err.code, err.column], ['invalid_policy', 'only']);
  err = thrown(() => checkCsv(CSV, { maxAgeDays: 0 }));
  assert.deepStrictEqual([err.code, err.column], ['invalid_policy', 'max_age_days']);
  err = thrown(() => checkCsv(CSV, ['fail']));
  assert.equal(err.code, 'invalid_policy');
});

test('exemptions and lenient mode reach the analysis', () => {
  const exemptions = [{ account: '*', user: 'over-by-1s', slot: 1, reason: 'vendor', owner: 'sec@example.com', expires: '2027-01-01' }];
  const result = checkCsv(CSV, { asOf: AS_OF, exemptions, only: 'fail', columns: 'user' });
  assert.equal(text(result.csv), "user\nover-by-1s\n'=sum(a1)\n", 'an exempted finding keeps its status');
  assert.equal(result.summary.exempted, 1);
  const bad = CSV.replace('2025-01-01T00:00:00Z', 'yesterday');
  const lenient = checkCsv(bad, { asOf: AS_OF, lenient: true, only: 'invalid', columns: 'user,code' });
  assert.equal(text(lenient.csv), "user,code\n'=sum(a1),row_error\n");
  assert.equal(lenient.anomalies[0].code, 'row_error');
});

// --- the same bytes as the command ---------------------------------------------------------------

const cli = process.env.KEYROT_CLI;
const noCli = cli ? false : 'KEYROT_CLI does not name a keyrot binary (wasm/ci.sh builds one and sets it)';

/**
 * checkCsv's CSV for a file and `keyrot check --format csv ARGS FILE`'s stdout; for a file the
 * command cannot read (exit status 2, nothing on stdout), checkCsv's error code and the command's
 * message, which names the same code's problem.
 */
function both(path, args, options) {
  const run = spawnSync(cli, ['check', '--format', 'csv', '--as-of', AS_OF, ...args, path], { maxBuffer: 1 << 30 });
  const theirs = run.stdout.toString('utf8');
  if (run.status === 2) {
    assert.equal(theirs, '');
    const err = thrown(() => checkCsv(readFileSync(path), { asOf: AS_OF, source: path, ...options }));
    assert.ok(run.stderr.toString().includes(err.message), `${run.stderr} does not hold ${err.message}`);
    return [err.code, err.code];
  }
  assert.ok([0, 1].includes(run.status), `keyrot exited ${run.status}: ${run.stderr}`);
  const result = checkCsv(readFileSync(path), { asOf: AS_OF, source: path, ...options });
  return [text(result.csv), theirs];
}

test('the same bytes as keyrot check --format csv on every sample', { skip: noCli }, () => {
  const dir = fileURLToPath(new URL('samples/', testdata));
  const samples = readdirSync(dir).filter((f) => /\.(csv|json)$/.test(f));
  assert.ok(samples.length > 3);
  for (const name of samples) {
    const path = join(dir, name);
    const [ours, theirs] = both(path, [], {});
    assert.equal(ours, theirs, name);
    const [some, theirSome] = both(path, ['--only', 'fail,due-soon', '--columns', 'user,slot,status,reason'], { only: ['fail', 'due_soon'], columns: ['user', 'slot', 'status', 'reason'] });
    assert.equal(some, theirSome, `${name}, --only and --columns`);
  }
});

test('the same bytes as keyrot check --only fail --format csv on a report of many chunks', { skip: noCli }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyrot-check-csv-'));
  try {
    const rows = [HEADER];
    for (let i = 0; i < 20000; i++) {
      const month = String(1 + (i % 12)).padStart(2, '0');
      rows.push(row(i % 997 ? `user-${i}` : `-user-${i}`, ['true', `2026-${month}-15T08:30:00Z`], ['true', `2025-${month}-01T00:00:00+00:00`], String(200000000000 + (i % 3))));
    }
    const path = join(dir, 'report.csv');
    writeFileSync(path, rows.join('\n') + '\n');
    const [ours, theirs] = both(path, ['--only', 'fail'], { only: ['fail'] });
    assert.ok(theirs.split('\n').length > 20000);
    assert.equal(ours, theirs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
