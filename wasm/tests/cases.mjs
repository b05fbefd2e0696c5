// Reads the golden cases of testdata/cases (format: testdata/README.md) for
// the JS runners, and holds what the JS tests share (the report header,
// `thrown`). Only reads: the Rust harness is the one that writes.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export const testdata = new URL('../../testdata/', import.meta.url);
export const casesDir = new URL('cases/', testdata);

/** testdata/skip.json may list cases JS cannot run: {"js": {"slug": "reason"}}. */
export function skips() {
  const file = new URL('skip.json', testdata);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')).js ?? {}) : {};
}

/** `max_age_days` -> `maxAgeDays`: the JS names of the contract's options. */
export function camelCase(name) {
  return name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
}

export function slugs() {
  return readdirSync(casesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

function readJson(url) {
  return JSON.parse(readFileSync(url, 'utf8'));
}

/**
 * One case: `options` with JS names (and `exemptions` from exemptions.toml),
 * and either `input` (bytes), `inputs` (for analyzeMany, `{name, input}` in
 * name order) or `diff` (`{old, new}` bytes, with `oldAsOf` in the options
 * when diff.json gives one), `expected`, and for a plan case `expectedPlan`
 * and `accessKeys`.
 */
export function readCase(slug) {
  const dir = new URL(`${slug}/`, casesDir);
  const contract = readJson(new URL('options.json', dir));
  const options = Object.fromEntries(Object.entries(contract).map(([k, v]) => [camelCase(k), v]));
  const exemptions = new URL('exemptions.toml', dir);
  if (existsSync(exemptions)) options.exemptions = readFileSync(exemptions, 'utf8');
  const found = { slug, contract, options, expected: readJson(new URL('expected.json', dir)) };

  const inputsDir = new URL('inputs/', dir);
  const diff = new URL('diff.json', dir);
  if (existsSync(diff)) {
    // A diff case: old.* and new.* reports; diff.json may give the old report's time.
    const { old_as_of: oldAsOf } = readJson(diff);
    if (oldAsOf !== undefined) options.oldAsOf = oldAsOf;
    const one = (stem) => {
      const names = readdirSync(dir).filter((f) => f.split('.')[0] === stem);
      if (names.length !== 1) throw new Error(`${slug}: expected one ${stem}.* file, found ${names.length}`);
      return new Uint8Array(readFileSync(new URL(names[0], dir)));
    };
    found.diff = { old: one('old'), new: one('new') };
  } else if (existsSync(inputsDir)) {
    found.inputs = readdirSync(inputsDir)
      .sort()
      .map((name) => ({ name, input: new Uint8Array(readFileSync(new URL(name, inputsDir))) }));
  } else {
    const inputs = readdirSync(dir).filter((f) => f.split('.')[0] === 'input');
    if (inputs.length !== 1) throw new Error(`${slug}: expected one input.* file, found ${inputs.length}`);
    // Bytes, unchanged: CRLF, BOM and invalid UTF-8 must reach the core as they are.
    found.input = new Uint8Array(readFileSync(new URL(inputs[0], dir)));
  }
  const plan = new URL('expected_plan.json', dir);
  if (existsSync(plan)) {
    found.expectedPlan = readJson(plan);
    const keys = new URL('access_keys.json', dir);
    if (existsSync(keys)) found.accessKeys = new Uint8Array(readFileSync(keys));
  }
  return found;
}

/** What `fn` returns, as JSON data; or `{error: {code, line, column, value}}` for what it throws. */
export function outcome(fn) {
  let value;
  try {
    value = fn();
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    const { code, line, column, value: v } = err;
    return { error: { code, line, column, value: v }, thrown: err };
  }
  return JSON.parse(JSON.stringify(value));
}

/** The columns of the findings CSV (`checkCsv`, `keyrot check --format csv`), in their default order. */
export const CSV_COLUMNS = [
  'source', 'account_id', 'user', 'arn', 'is_root', 'slot', 'status', 'active', 'last_rotated', 'age_days',
  'due_at', 'days_until_due', 'last_used', 'last_used_region', 'last_used_service', 'used_since_rotation',
  'code', 'reason', 'line', 'exempted',
];

/** The default CSV columns of an analysis: with `rule`, `cis` and `severity` when it labels its findings (has `checks`). */
export function defaultColumns(analysis) {
  return analysis.checks ? [...CSV_COLUMNS, 'rule', 'cis', 'severity'] : CSV_COLUMNS;
}

/** The columns whose text comes from the report (or the caller), neutralised for spreadsheets. */
const TEXT_COLUMNS = new Set(['source', 'account_id', 'user', 'arn', 'last_used_region', 'last_used_service', 'reason']);

/**
 * The CSV that `checkCsv` must write for these findings (expected.json's), written here independently
 * of the engine: `null` is an empty cell, text from the report that starts with `=`, `+`, `-`, `@`, a
 * tab or a carriage return gets a leading `'`, and a cell with a comma, a quote or a line ending is
 * quoted with `""` for a quote.
 */
export function findingsCsv(findings, source, columns = CSV_COLUMNS) {
  const cell = (column, value) => {
    if (value === null || value === undefined) return '';
    let text = String(value);
    if (TEXT_COLUMNS.has(column) && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = [columns.join(',')];
  const value = (f, c) => (c === 'source' ? source : c === 'exempted' ? f.exempted !== null : f[c]);
  for (const f of findings) lines.push(columns.map((c) => cell(c, value(f, c))).join(','));
  return lines.join('\n') + '\n';
}

/** The 22-column header AWS writes. */
export const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,' +
  'password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,' +
  'access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,' +
  'access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,' +
  'access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,' +
  'cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

/** Calls `fn`, which must throw; returns what it threw. */
export function thrown(fn) {
  try {
    fn();
  } catch (err) {
    return err;
  }
  assert.fail('expected a throw');
}
