// The TypeScript declarations against the real output:
// - `tsc --strict` compiles tests/types/consumer.ts, whose @ts-expect-error
//   lines fail the build if a declaration is loosened to `any`;
// - every object the Node build returns for the golden cases (analyze,
//   analyzeMany, diff, and plan and parse of the same input) and every error
//   it throws conforms to the
//   interfaces of src/types.d.ts, field by field, both ways: a field the core
//   adds or drops fails here until the declarations follow; so does what
//   checkCsv returns for every case of one report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { analyze, analyzeMany, checkCsv, diff, parse, plan } from '../pkg/node/keyrot.js';
import { outcome, readCase, slugs } from './cases.mjs';

const wasmDir = fileURLToPath(new URL('..', import.meta.url));

// --- a reader for the small TypeScript subset that src/types.d.ts uses -----

/** Parses `export type X = ...;` and `export interface X [extends Y] {...}`. */
function readDeclarations(source) {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const types = new Map();
  const interfaces = new Map();
  for (const m of text.matchAll(/export type (\w+)\s*=\s*([^;]+);/g)) {
    types.set(m[1], parseType(m[2]));
  }
  for (const m of text.matchAll(/export interface (\w+)(?:\s+extends\s+(\w+))?\s*\{([^}]*)\}/g)) {
    const fields = new Map();
    for (const line of m[3].split(';')) {
      const f = line.trim().match(/^(\w+)(\??):\s*([\s\S]+)$/);
      if (f) fields.set(f[1], { optional: f[2] === '?', type: parseType(f[3]) });
    }
    interfaces.set(m[1], { base: m[2] ?? null, fields });
  }
  return { types, interfaces };
}

/** A union of alternatives: literals, primitives, names, `T[]` and `[A, B]`. */
function parseType(text) {
  const alternatives = [];
  let depth = 0;
  let current = '';
  for (const ch of text.trim().replace(/^\|/, '')) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === '|' && depth === 0) {
      alternatives.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  alternatives.push(current.trim());
  return alternatives.map((alt) => {
    if (/^".*"$/.test(alt)) return { literal: JSON.parse(alt) };
    if (alt === 'true' || alt === 'false') return { literal: alt === 'true' };
    if (alt.endsWith('[]')) return { array: parseType(alt.slice(0, -2)) };
    if (alt.startsWith('[')) return { tuple: alt.slice(1, -1).split(',').map(parseType) };
    return { name: alt };
  });
}

function checker(decls) {
  function fieldsOf(name) {
    const iface = decls.interfaces.get(name);
    // A base that is not declared here (`Error`) adds no checked fields.
    const fields = new Map(decls.interfaces.has(iface.base) ? fieldsOf(iface.base) : []);
    for (const [k, v] of iface.fields) fields.set(k, v);
    return fields;
  }
  function problems(value, union, path) {
    const found = [];
    for (const alt of union) {
      const p = matches(value, alt, path);
      if (p.length === 0) return [];
      found.push(...p);
    }
    return found.length ? found : [`${path}: ${JSON.stringify(value)} matches no alternative`];
  }
  function matches(value, alt, path) {
    if ('literal' in alt) return value === alt.literal ? [] : [`${path}: not ${JSON.stringify(alt.literal)}`];
    if (alt.array) {
      if (!Array.isArray(value)) return [`${path}: not an array`];
      return value.flatMap((v, i) => problems(v, alt.array, `${path}[${i}]`));
    }
    if (alt.tuple) {
      if (!Array.isArray(value) || value.length !== alt.tuple.length) return [`${path}: not a ${alt.tuple.length}-tuple`];
      return value.flatMap((v, i) => problems(v, alt.tuple[i], `${path}[${i}]`));
    }
    switch (alt.name) {
      case 'string':
      case 'number':
      case 'boolean':
        return typeof value === alt.name ? [] : [`${path}: not a ${alt.name}`];
      case 'null':
        return value === null ? [] : [`${path}: not null`];
      case 'Uint8Array':
        return value instanceof Uint8Array ? [] : [`${path}: not a Uint8Array`];
    }
    if (decls.types.has(alt.name)) return problems(value, decls.types.get(alt.name), path);
    if (!decls.interfaces.has(alt.name)) throw new Error(`unknown type ${alt.name} at ${path}`);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path}: not an object`];
    const fields = fieldsOf(alt.name);
    const out = [];
    for (const key of Object.keys(value)) {
      if (!fields.has(key)) out.push(`${path}.${key}: not declared in ${alt.name}`);
    }
    for (const [key, field] of fields) {
      if (!(key in value)) {
        if (!field.optional) out.push(`${path}.${key}: declared in ${alt.name} but missing`);
      } else {
        out.push(...problems(value[key], field.type, `${path}.${key}`));
      }
    }
    return out;
  }
  return (value, typeName) => problems(value, [{ name: typeName }], typeName);
}

const declarations = readDeclarations(readFileSync(new URL('../src/types.d.ts', import.meta.url), 'utf8'));
const check = checker(declarations);

// --- the tests ----------------------------------------------------------------

test('the declarations compile and reject what they must (tsc --strict)', () => {
  const tsc = spawnSync(
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
      'tests/types/consumer.ts',
    ],
    { cwd: wasmDir, encoding: 'utf8' },
  );
  assert.equal(tsc.status, 0, `tsc failed:\n${tsc.stdout}${tsc.stderr}`);
});

test('the generated declarations never say any', () => {
  for (const file of ['pkg/node/keyrot.d.ts', 'pkg/web/keyrot.d.ts', 'pkg/web/keyrot_bg.wasm.d.ts']) {
    const text = readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
    assert.doesNotMatch(text, /:\s*any\b|<any>|\bany\[\]|\|\s*any\b/, file);
    if (file.endsWith('keyrot.d.ts')) assert.match(text, /export interface Analysis \{/, `${file} has the types`);
  }
});

test('the checker itself rejects drift', () => {
  const finding = analyze('user,arn,access_key_1_active,access_key_1_last_rotated,access_key_2_active,access_key_2_last_rotated\n' +
    'a,arn:aws:iam::1:user/a,true,2026-01-01T00:00:00Z,false,N/A\n', { asOf: '2026-11-26T00:00:00Z' }).findings[0];
  assert.deepStrictEqual(check(finding, 'Finding'), []);
  assert.notDeepStrictEqual(check({ ...finding, extra: 1 }, 'Finding'), []);
  const { reason, ...withoutReason } = finding;
  assert.ok(reason);
  assert.notDeepStrictEqual(check(withoutReason, 'Finding'), []);
  assert.notDeepStrictEqual(check({ ...finding, status: 'failed' }, 'Finding'), []);
});

test('every golden result, parse result, plan, diff and error conforms to the declarations', () => {
  const seen = { Analysis: 0, ManyAnalysis: 0, Diff: 0, Plan: 0, Report: 0, CsvCheck: 0, KeyrotError: 0 };
  const conforms = (value, type, what) => {
    if (value.error) {
      assert.deepStrictEqual(check(value.error, 'KeyrotError'), [], what);
      seen.KeyrotError++;
    } else {
      assert.deepStrictEqual(check(value, type), [], what);
      seen[type]++;
    }
  };
  for (const slug of slugs()) {
    const c = readCase(slug);
    if (c.diff) {
      conforms(outcome(() => diff(c.diff.old, c.diff.new, c.options)), 'Diff', slug);
      continue;
    }
    if (c.inputs) {
      conforms(outcome(() => analyzeMany(c.inputs, c.options)), 'ManyAnalysis', slug);
      continue;
    }
    conforms(outcome(() => analyze(c.input, c.options)), 'Analysis', slug);
    conforms(outcome(() => plan(c.input, c.options)), 'Plan', `${slug} (plan)`);
    const parseOptions = { lenient: c.contract.lenient ?? false, format: c.contract.format ?? 'auto' };
    conforms(outcome(() => parse(c.input, parseOptions)), 'Report', `${slug} (parse)`);
    // Not through outcome(): its JSON round trip would turn the CSV bytes into an object.
    let checked;
    try {
      checked = checkCsv(c.input, c.options);
    } catch (err) {
      const { code, line, column, value } = err;
      checked = { error: { code, line, column, value } };
    }
    conforms(checked, 'CsvCheck', `${slug} (checkCsv)`);
  }
  for (const [type, count] of Object.entries(seen)) assert.ok(count > 0, `no ${type} was checked`);
});
