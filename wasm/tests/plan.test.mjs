// The page's plan: a label for every step code the package declares
// (www/lib/plan.js), and the plan the engine's Checker makes from the
// findings it holds, against plan() on the golden plans, filtered and paged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Checker, plan } from '../pkg/node/keyrot.js';
import { ROLE_LABELS, STEP_CODES, STEP_LABELS, stepLabel } from '../www/lib/plan.js';
import { readCase } from './cases.mjs';

/** The members of a string-literal union in src/types.d.ts. */
function declared(name) {
  const source = readFileSync(new URL('../src/types.d.ts', import.meta.url), 'utf8');
  const body = source.match(new RegExp(`export type ${name} =([^;]+);`))[1];
  return [...body.matchAll(/"(\w+)"/g)].map((m) => m[1]);
}

test('every step code the package declares has a label, in the workflow order', () => {
  assert.deepStrictEqual(STEP_CODES, declared('StepCode'));
  assert.deepStrictEqual(Object.keys(STEP_LABELS), STEP_CODES);
  for (const code of STEP_CODES) assert.match(stepLabel(code), /^[A-Z][a-z]/);
  assert.equal(new Set(Object.values(STEP_LABELS)).size, STEP_CODES.length, 'labels differ');
  assert.equal(stepLabel('something_new'), 'something_new');
  assert.equal(stepLabel('__proto__'), '__proto__');
});

test('every key role has a label', () => {
  const source = readFileSync(new URL('../src/types.d.ts', import.meta.url), 'utf8');
  const roles = [...source.match(/role: ([^;]+);/)[1].matchAll(/"(\w+)"/g)].map((m) => m[1]);
  assert.deepStrictEqual(Object.keys(ROLE_LABELS).sort(), roles.sort());
});

test('the page\'s plan, made by the engine\'s Checker from the findings it holds, is plan()\'s on every golden plan', () => {
  let checked = 0;
  for (const slug of ['plan_one_key_users', 'plan_root_keys', 'plan_with_access_key_ids', 'plan_hostile_user_names', 'plan_two_key_rotation_phases', 'plan_overdue_with_second_key']) {
    const c = readCase(slug);
    const expected = plan(c.input, c.accessKeys ? { ...c.options, accessKeys: c.accessKeys } : c.options);
    assert.deepStrictEqual(JSON.parse(JSON.stringify(expected)), c.expectedPlan, slug);
    const checker = new Checker([{ name: 'input.csv', input: c.input }], c.options);
    const made = checker.makePlan(c.accessKeys ?? null);
    assert.equal(made.all, expected.steps.length, slug);
    assert.deepStrictEqual(made.per_report, [expected.steps.length]);
    const steps = checker.planSteps(0, 1000).map(({ source, ...step }) => (assert.equal(source, 'input.csv'), step));
    assert.deepStrictEqual(steps, JSON.parse(JSON.stringify(expected.steps)), slug);
    checker.free();
    checked++;
  }
  assert.equal(checked, 6);
});

test('the plan filters by step, user, account and file, and pages', () => {
  const c = readCase('plan_one_key_users');
  const { steps } = plan(c.input, c.options);
  const other = new TextDecoder().decode(c.input).replaceAll('111122223333', '444455556666');
  const checker = new Checker(
    [
      { name: 'a.csv', input: c.input },
      { name: 'b.csv', input: other },
    ],
    c.options,
  );
  const made = checker.makePlan(null);
  assert.deepStrictEqual(made.counts, [
    ['deactivate_unused_key', 4],
    ['create_new_key', 4],
    ['delete_inactive_key', 4],
    ['wait_before_delete', 4],
    ['schedule_rotation', 2],
  ]);
  assert.deepStrictEqual(made.per_report, [9, 9]);
  const users = (query) => (checker.selectPlan(query), checker.planSteps(0, 100).map((s) => [s.source, s.user]));
  assert.deepStrictEqual(users({ step: 'wait_before_delete', source: 'a.csv' }), [
    ['a.csv', 'inactive-used-4d-ago'],
    ['a.csv', 'inactive-created-2d-ago-never-used'],
  ]);
  assert.deepStrictEqual(users({ user: ' OVER-', source: 'b.csv' }).length, steps.filter((s) => s.user.toLowerCase().includes('over-')).length);
  assert.deepStrictEqual(users({ account: '444455556666' }).map(([source]) => source), Array(9).fill('b.csv'));
  assert.equal(checker.selectPlan({ step: 'remove_root_key' }), 0);
  assert.equal(checker.selectPlan({}), 18);
  assert.deepStrictEqual(checker.planSteps(4, 4).map((s) => s.user), steps.slice(4, 8).map((s) => s.user));
  assert.deepStrictEqual(checker.planSteps(17, 10).length, 1);
  assert.throws(() => checker.selectPlan({ stepp: 'x' }), /unknown option `stepp`/);
  checker.free();
});
