// The page's plan logic (www/lib/plan.js): a label for every step code the
// package declares, filtering and paging of the steps of golden plans.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { plan } from '../pkg/node/keyrot.js';
import { PlanView, ROLE_LABELS, STEP_CODES, STEP_LABELS, stepCounts, stepLabel, stepMatches } from '../www/lib/plan.js';
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

test('the golden plan of one-key users: counts per step, filters and pages', () => {
  const c = readCase('plan_one_key_users');
  const result = plan(c.input, c.options);
  assert.deepStrictEqual(JSON.parse(JSON.stringify(result)), c.expectedPlan);
  const { steps } = result;
  assert.deepStrictEqual(stepCounts(steps), [
    ['deactivate_unused_key', 2],
    ['create_new_key', 2],
    ['delete_inactive_key', 2],
    ['wait_before_delete', 2],
    ['schedule_rotation', 1],
  ]);
  const view = new PlanView(steps);
  assert.deepStrictEqual(view.apply({ step: 'wait_before_delete' }).map((s) => s.user), ['inactive-used-4d-ago', 'inactive-created-2d-ago-never-used']);
  assert.deepStrictEqual(view.apply({ user: ' OVER-' }).map((s) => s.step), ['create_new_key', 'deactivate_unused_key', 'deactivate_unused_key', 'create_new_key']);
  assert.equal(stepMatches(steps[0], { account: '999999999999' }), false);
  const second = view.page({}, 1, 4);
  assert.deepStrictEqual([second.total, second.pages, second.page, second.first], [9, 3, 1, 5]);
  assert.deepStrictEqual(second.rows, steps.slice(4, 8));
  const clamped = view.page({ step: 'schedule_rotation' }, 7, 4);
  assert.deepStrictEqual([clamped.page, clamped.first, clamped.rows.map((s) => s.user)], [0, 1, ['due-soon']]);
  const none = view.page({ step: 'remove_root_key' }, 0, 4);
  assert.deepStrictEqual([none.total, none.pages, none.first, none.rows.length], [0, 1, 0, 0]);
});

test('steps of several files filter by file', () => {
  const steps = [
    { step: 'create_new_key', source: 'a.csv', user: 'x', account_id: '1' },
    { step: 'create_new_key', source: 'b.csv', user: 'x', account_id: '2' },
  ];
  const view = new PlanView(steps);
  assert.deepStrictEqual(view.apply({ source: 'b.csv' }), [steps[1]]);
  assert.deepStrictEqual(view.apply({ account: '1' }), [steps[0]]);
  assert.deepStrictEqual(stepCounts([...steps, { step: 'new_code' }]), [['create_new_key', 2], ['new_code', 1]]);
});
