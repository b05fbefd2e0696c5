// The JS surface of the Node build: input kinds, the options object (camelCase
// names, Date, unknown names), where as_of comes from, and thrown errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, analyzeMany, diff, parse, plan } from '../pkg/node/keyrot.js';
import { HEADER, thrown } from './cases.mjs';

function row(user, active, lastRotated, account = '111122223333') {
  return (
    `${user},arn:aws:iam::${account}:user/${user},2024-01-01T00:00:00Z,false,N/A,N/A,N/A,false,` +
    `${active},${lastRotated},N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`
  );
}

const CSV = [HEADER, row('exactly-90d', true, '2026-08-28T00:00:00Z'), row('over-by-1s', true, '2026-08-27T23:59:59Z')]
  .join('\n')
  .concat('\n');
const AS_OF = '2026-11-26T00:00:00Z';

function cliJson(csv, generatedTime) {
  return JSON.stringify({
    Content: Buffer.from(csv).toString('base64'),
    ReportFormat: 'text/csv',
    GeneratedTime: generatedTime,
  });
}

test('judges the boundary to the second', () => {
  const result = analyze(CSV, { asOf: AS_OF });
  assert.deepStrictEqual(
    result.findings.map((f) => [f.user, f.status]),
    [
      ['exactly-90d', 'due_soon'],
      ['over-by-1s', 'fail'],
    ],
  );
  assert.equal(result.summary.compliant, false);
  assert.equal(result.summary.fail, 1);
  assert.equal(result.as_of_source, 'explicit');
});

test('a string, a Uint8Array, a Buffer and an ArrayBuffer give the same result', () => {
  const bytes = new TextEncoder().encode(CSV);
  const expected = analyze(CSV, { asOf: AS_OF });
  assert.deepStrictEqual(analyze(bytes, { asOf: AS_OF }), expected);
  assert.deepStrictEqual(analyze(Buffer.from(CSV), { asOf: AS_OF }), expected);
  assert.deepStrictEqual(analyze(bytes.buffer, { asOf: AS_OF }), expected);
});

test('results are plain objects with snake_case keys and null for missing values', () => {
  const result = analyze(CSV, { asOf: AS_OF });
  assert.equal(Object.getPrototypeOf(result), Object.prototype);
  assert.equal(Object.getPrototypeOf(result.findings[0]), Object.prototype);
  assert.ok(Array.isArray(result.findings));
  assert.ok('as_of_source' in result && 'days_until_due' in result.findings[0]);
  assert.equal(result.generated_time, null);
  assert.equal(result.findings[0].exempted, null);
  assert.equal(result.findings[0].line, 2);
});

test('asOf as a Date is the same instant as the string', () => {
  const fromString = analyze(CSV, { asOf: AS_OF });
  const fromDate = analyze(CSV, { asOf: new Date(AS_OF) });
  assert.deepStrictEqual(fromDate, fromString);
  const withMillis = analyze(CSV, { asOf: new Date('2026-11-26T00:00:00.250Z') });
  assert.equal(withMillis.as_of, '2026-11-26T00:00:00.250Z');
});

test('without asOf a CSV is judged at the current time (as_of_source clock)', () => {
  const before = Date.now();
  const result = analyze(CSV);
  const after = Date.now();
  assert.equal(result.as_of_source, 'clock');
  const asOf = Date.parse(result.as_of);
  assert.ok(asOf >= before - 1 && asOf <= after + 1, `${result.as_of} not between ${before} and ${after}`);
});

test("without asOf the CLI JSON's GeneratedTime is used (as_of_source report)", () => {
  const result = analyze(cliJson(CSV, '2026-11-26T00:00:00+00:00'));
  assert.equal(result.as_of_source, 'report');
  assert.equal(result.as_of, AS_OF);
  assert.equal(result.generated_time, AS_OF);
  assert.equal(result.input_format, 'cli_json');
  // An explicit asOf wins over GeneratedTime.
  const explicit = analyze(cliJson(CSV, '2026-11-26T00:00:00Z'), { asOf: '2026-11-27T00:00:00Z' });
  assert.equal(explicit.as_of_source, 'explicit');
  assert.equal(explicit.as_of, '2026-11-27T00:00:00Z');
});

test('null and undefined options mean the defaults', () => {
  const base = analyze(CSV, { asOf: AS_OF });
  assert.deepStrictEqual(analyze(CSV, { asOf: AS_OF, maxAgeDays: undefined, warnDays: null }), base);
  assert.equal(analyze(CSV, null).as_of_source, 'clock');
  assert.equal(analyze(CSV, undefined).policy.max_age_days, 90);
});

test('every option name is camelCase and reaches the policy', () => {
  const result = analyze(CSV, {
    asOf: AS_OF,
    maxAgeDays: 30,
    warnDays: 5,
    includeInactive: true,
    granularity: 'whole_days',
    graceDays: 3,
    lenient: true,
    format: 'csv',
  });
  assert.deepStrictEqual(result.policy, {
    max_age_days: 30,
    warn_days: 5,
    include_inactive: true,
    granularity: 'whole_days',
    grace_days: 3,
  });
  assert.equal(result.input_format, 'csv');
  assert.deepStrictEqual(
    result.findings.map((f) => f.status),
    ['fail', 'fail'],
  );
});

test('an unknown option name is an error, with a hint for snake_case', () => {
  const err = thrown(() => analyze(CSV, { asOf: AS_OF, max_age_days: 30 }));
  assert.ok(err instanceof Error);
  assert.equal(err.code, 'invalid_policy');
  assert.equal(err.column, 'max_age_days');
  assert.match(err.message, /unknown option `max_age_days`.*did you mean `maxAgeDays`\?/);

  const typo = thrown(() => analyze(CSV, { asOf: AS_OF, maxAgeDay: 30 }));
  assert.equal(typo.code, 'invalid_policy');
  assert.equal(typo.column, 'maxAgeDay');
});

test('a bad option value names the option by its contract name', () => {
  const cases = [
    [{ maxAgeDays: '90' }, 'invalid_policy', 'max_age_days', '90'],
    [{ maxAgeDays: 1.5 }, 'invalid_policy', 'max_age_days', '1.5'],
    [{ warnDays: -1 }, 'invalid_policy', 'warn_days', '-1'],
    [{ lenient: 'yes' }, 'invalid_policy', 'lenient', 'yes'],
    [{ granularity: 'days' }, 'invalid_policy', 'granularity', 'days'],
    [{ format: 'xml' }, 'invalid_policy', 'format', 'xml'],
    [{ asOf: 'yesterday' }, 'invalid_as_of', 'as_of', 'yesterday'],
    [{ asOf: new Date('not a date') }, 'invalid_as_of', 'as_of', 'Invalid Date'],
    [{ asOf: 1795651200000 }, 'invalid_as_of', 'as_of', '1795651200000'],
  ];
  for (const [options, code, column, value] of cases) {
    const err = thrown(() => analyze(CSV, options));
    assert.deepStrictEqual(
      { code: err.code, line: err.line, column: err.column, value: err.value },
      { code, line: null, column, value },
      JSON.stringify(options),
    );
  }
});

test("the core's range checks come through unchanged", () => {
  const err = thrown(() => analyze(CSV, { asOf: AS_OF, maxAgeDays: 30, warnDays: 31 }));
  assert.equal(err.code, 'invalid_policy');
  assert.equal(err.column, 'warn_days');
  assert.equal(err.value, '31');
  assert.equal(err.message, '`warn_days`: `warn_days` must be from 0 to max_age_days (30), not 31');
});

test('options must be an object', () => {
  for (const bad of ['maxAgeDays=30', 30, [1, 2], true]) {
    const err = thrown(() => analyze(CSV, bad));
    assert.equal(err.code, 'invalid_policy', String(bad));
    assert.match(err.message, /options must be an object/);
  }
});

test('input of another type is a TypeError with code invalid_input', () => {
  for (const bad of [42, null, undefined, { csv: CSV }, [1, 2]]) {
    const err = thrown(() => analyze(bad, { asOf: AS_OF }));
    assert.ok(err instanceof TypeError, String(bad));
    assert.equal(err.code, 'invalid_input');
    assert.equal(err.line, null);
  }
});

test('a data error carries code, line, column and value; the message is the core sentence', () => {
  const broken = `${HEADER}\n${row('bob', true, '2024-13-01T00:00:00Z')}\n`;
  const err = thrown(() => analyze(broken, { asOf: AS_OF }));
  assert.ok(err instanceof Error);
  assert.equal(err.code, 'invalid_timestamp');
  assert.equal(err.line, 2);
  assert.equal(err.column, 'access_key_1_last_rotated');
  assert.equal(err.value, '2024-13-01T00:00:00Z');
  assert.match(err.message, /^line 2, column `access_key_1_last_rotated`: .*2024-13-01T00:00:00Z/);

  // Lenient mode keeps the row: the key is invalid and a row_error anomaly explains it.
  const lenient = analyze(broken, { asOf: AS_OF, lenient: true });
  assert.equal(lenient.findings[0].status, 'invalid');
  assert.equal(lenient.findings[0].code, 'row_error');
  assert.equal(lenient.anomalies[0].code, 'row_error');
  assert.equal(lenient.anomalies[0].error, 'invalid_timestamp');
});

test('invalid UTF-8 bytes are an error, never a crash', () => {
  // "café" with é in Latin-1 (0xE9), which is not UTF-8.
  const latin1 = Buffer.from(`${HEADER}\n${row('caf\u00e9', true, '2026-01-01T00:00:00Z')}\n`, 'latin1');
  const err = thrown(() => analyze(latin1, { asOf: AS_OF }));
  assert.equal(err.code, 'invalid_utf8');
  assert.equal(err.line, 2);
});

test('an empty input is empty_input', () => {
  const err = thrown(() => analyze('', { asOf: AS_OF }));
  assert.equal(err.code, 'empty_input');
});

test('parse returns the rows with every cell as written', () => {
  const report = parse(CSV);
  assert.equal(report.rows.length, 2);
  assert.equal(report.layout, 'current');
  assert.equal(report.rows[0].user, 'exactly-90d');
  assert.equal(report.rows[0].access_keys[0].active, true);
  assert.equal(report.rows[0].access_keys[0].last_rotated, '2026-08-28T00:00:00Z');
  assert.equal(report.rows[0].access_keys[1].last_rotated, 'N/A');
  assert.equal(report.rows[0].password_enabled, false);
  assert.equal('problems' in report.rows[0], false);
});

test('parse takes only format and lenient', () => {
  assert.equal(parse(CSV, { format: 'csv', lenient: false }).input_format, 'csv');
  const err = thrown(() => parse(CSV, { asOf: AS_OF }));
  assert.equal(err.code, 'invalid_policy');
  assert.match(err.message, /applies to analyze only/);
});

test('base64 input is detected', () => {
  const result = analyze(Buffer.from(CSV).toString('base64'), { asOf: AS_OF });
  assert.equal(result.input_format, 'base64');
  assert.equal(result.findings.length, 2);
});

const EXEMPTIONS_TOML = `[[exemption]]
account = "111122223333"
user = "over-by-*"
reason = "vendor appliance; replacement ordered"
owner = "secops@example.com"
expires = 2027-03-31
`;

test('exemptions, as TOML text or as entries, make a matching finding not count', () => {
  const plain = analyze(CSV, { asOf: AS_OF });
  assert.equal(plain.summary.compliant, false);
  const entries = [
    {
      account: '111122223333',
      user: 'over-by-*',
      reason: 'vendor appliance; replacement ordered',
      owner: 'secops@example.com',
      expires: '2027-03-31',
    },
  ];
  for (const exemptions of [EXEMPTIONS_TOML, entries]) {
    const result = analyze(CSV, { asOf: AS_OF, exemptions });
    const exempted = result.findings.find((f) => f.user === 'over-by-1s');
    assert.equal(exempted.status, 'fail', 'the status is kept');
    assert.equal(exempted.exempted.owner, 'secops@example.com');
    assert.equal(result.summary.exempted, 1);
    assert.equal(result.summary.compliant, true);
  }
  const err = thrown(() => analyze(CSV, { asOf: AS_OF, exemptions: '[[exemption' }));
  assert.equal(err.code, 'invalid_exemptions');
});

test('analyzeMany judges reports together; a broken one does not stop the others', () => {
  const other = CSV.replaceAll('111122223333', '444455556666');
  const many = analyzeMany(
    [
      { name: 'prod.csv', input: CSV },
      { name: 'staging.csv', input: new TextEncoder().encode(other) },
      { name: 'broken.csv', input: 'user,arn\nbob,arn:aws:iam::1:user/bob\n' },
    ],
    { asOf: AS_OF },
  );
  assert.deepStrictEqual(
    many.reports.map((r) => [r.source, r.error?.code ?? null]),
    [
      ['prod.csv', null],
      ['staging.csv', null],
      ['broken.csv', 'missing_columns'],
    ],
  );
  assert.equal(many.findings.length, 4);
  assert.deepStrictEqual([...new Set(many.findings.map((f) => f.source))], ['prod.csv', 'staging.csv']);
  assert.deepStrictEqual(
    many.summary.accounts.map((a) => a.account_id),
    ['111122223333', '444455556666'],
  );
  for (const bad of ['prod.csv', [{ input: CSV }], [{ name: 'x', input: 42 }]]) {
    const err = thrown(() => analyzeMany(bad, { asOf: AS_OF }));
    assert.ok(err instanceof TypeError, JSON.stringify(bad));
    assert.equal(err.code, 'invalid_input');
  }
});

test('plan gives each user one next step, in triage order, with real key ids when accessKeys lists them', () => {
  const steps = plan(CSV, { asOf: AS_OF }).steps;
  // The step needed to pass first, then the clean-up.
  assert.deepStrictEqual(
    steps.map((s) => [s.user, s.step, s.needed]),
    [
      ['over-by-1s', 'deactivate_unused_key', true],
      ['exactly-90d', 'schedule_rotation', false],
    ],
  );
  const accessKeys = JSON.stringify({
    AccessKeyMetadata: [
      { UserName: 'over-by-1s', AccessKeyId: 'AKIAIOSFODNN7EXAMPLE', Status: 'Active', CreateDate: '2026-08-27T23:59:59Z' },
    ],
  });
  const withIds = plan(CSV, { asOf: AS_OF, accessKeys }).steps[0];
  assert.equal(withIds.keys[0].access_key_id, 'AKIAIOSFODNN7EXAMPLE');
  assert.ok(withIds.commands.some((c) => c.includes('AKIAIOSFODNN7EXAMPLE')), withIds.commands.join('\n'));
  const err = thrown(() => analyze(CSV, { asOf: AS_OF, accessKeys }));
  assert.equal(err.code, 'invalid_policy', 'accessKeys belongs to plan');
});

test('diff matches keys by creation time between an old and a new report', () => {
  const rotated = CSV.replace('2026-08-27T23:59:59Z', '2026-11-20T00:00:00Z');
  const changes = diff(CSV, rotated, { asOf: AS_OF, oldAsOf: '2026-11-25T00:00:00Z' });
  assert.equal(changes.old.as_of, '2026-11-25T00:00:00Z');
  assert.equal(changes.old.as_of_source, 'explicit');
  assert.deepStrictEqual(
    changes.changes.map((c) => [c.user, c.change]),
    [['over-by-1s', 'rotated']],
  );
  assert.equal(changes.counts.rotated, 1);
});
