// Compiled by tests/types.test.mjs with `tsc --strict --noEmit`: the package's
// declarations must type what a consumer writes, and reject what it must not.
import { analyze, analyzeMany, checkCsv, diff, parse, plan } from '../../pkg/node/keyrot.js';
import type { Analysis, CsvCheck, CsvColumn, Diff, Finding, KeyrotError, ManyAnalysis, Plan, Report, Status, Row, StepCode } from '../../pkg/node/keyrot.js';

const csv: string = 'user,arn\n';
const analysis: Analysis = analyze(csv, { asOf: new Date(), maxAgeDays: 30, granularity: 'whole_days' });
analyze(new Uint8Array(0));
analyze(csv, { asOf: '2026-11-26T00:00:00Z', lenient: true, format: 'cli_json', graceDays: 7 });

const first: Finding | undefined = analysis.findings[0];
const status: Status | undefined = first?.status;
const age: number | null | undefined = first?.age_days;
const compliant: boolean = analysis.summary.compliant;
const perAccount: number = analysis.summary.accounts.length;
const asOfSource: 'explicit' | 'date' | 'report' | 'clock' | 'newest_timestamp' = analysis.as_of_source;

const report: Report = parse(csv, { lenient: true });
const row: Row | undefined = report.rows[0];
const keyActive: boolean | string | null | undefined = row?.access_keys[1].active;

const many: ManyAnalysis = analyzeMany([{ name: 'a.csv', input: csv }], { exemptions: '' });
const source: string | undefined = many.findings[0]?.source;
const steps: Plan = plan(csv, { accessKeys: '{"AccessKeyMetadata": []}', graceDays: 3 });
const step: StepCode | undefined = steps.steps[0]?.step;
const changes: Diff = diff(csv, csv, { oldAsOf: new Date() });
const rotated: number | undefined = changes.counts.rotated;
analyze(csv, { exemptions: [{ account: '*', user: 'ci', reason: 'r', owner: 'o', expires: '2027-01-01' }] });

const columns: CsvColumn[] = ['user', 'slot', 'age_days'];
const checked: CsvCheck = checkCsv(new Uint8Array(0), { asOf: '2026-11-26T00:00:00Z', only: ['fail', 'due_soon'], columns, source: 'a.csv' });
checkCsv(csv, { only: 'fail', columns: 'user', exemptions: '', lenient: true });
const pieces: Uint8Array[] = [];
const streamed: CsvCheck = checkCsv((buf: Uint8Array): number => buf.length, { write: (bytes) => { pieces.push(bytes); } });
const csvBytes: Uint8Array = checked.csv;
const written: number = checked.csv_rows;
const failing: number = checked.summary.fail;

try {
  analyze(csv);
} catch (e) {
  const err = e as KeyrotError;
  const where: string = `${err.code} ${err.line ?? '-'} ${err.column ?? '-'} ${err.value ?? '-'} ${err.message}`;
  console.log(where);
}

// Each line below must be a type error; `tsc` fails on an unused @ts-expect-error,
// so these fail if a declaration is loosened to `any` or `string`.
// @ts-expect-error unknown option names are not allowed
analyze(csv, { maxAgeDay: 30 });
// @ts-expect-error asOf is a string or a Date
analyze(csv, { asOf: 1795651200000 });
// @ts-expect-error granularity is one of two names
analyze(csv, { granularity: 'days' });
// @ts-expect-error parse takes only format and lenient
parse(csv, { asOf: '2026-11-26T00:00:00Z' });
// @ts-expect-error the input is text or bytes
analyze(42);
// @ts-expect-error a status is one of five names
const wrongStatus: Status = 'failed';
// @ts-expect-error findings are typed, not any
const wrongField: string = analysis.findings[0].no_such_field;
// @ts-expect-error line is a number
const wrongLine: string = analysis.findings[0].line;
// @ts-expect-error accessKeys belongs to plan
analyze(csv, { accessKeys: '[]' });
// @ts-expect-error analyzeMany takes named inputs
analyzeMany([csv]);
// @ts-expect-error only takes status names
checkCsv(csv, { only: ['failed'] });
// @ts-expect-error columns are the CSV's column names
checkCsv(csv, { columns: ['colour'] });
// @ts-expect-error only and columns belong to checkCsv
analyze(csv, { only: ['fail'] });
// @ts-expect-error a read function returns the number of bytes it gave
checkCsv((buf: Uint8Array) => buf);
// @ts-expect-error write is a function
checkCsv(csv, { write: 'out.csv' });
// @ts-expect-error checkCsv returns no findings
const noFindings: unknown = checked.findings;

console.log(status, age, compliant, perAccount, asOfSource, keyActive, wrongStatus, wrongField, wrongLine);
console.log(source, step, rotated);
console.log(csvBytes, written, failing, noFindings, streamed.csv_rows);
