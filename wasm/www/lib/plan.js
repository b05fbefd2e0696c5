// The rotation plan's logic, apart from the DOM so the worker can run it and
// Node can test it: readable labels for the step codes, filtering and paging
// of the steps. Steps are the objects of the package's `plan`
// (rotation-rule.md §2), with `source` added when several files are checked.

/** The step codes in the workflow's order (rotation-rule.md §2.1). */
export const STEP_CODES = [
  'remove_root_key',
  'rotate_both',
  'deactivate_unused_key',
  'update_applications',
  'deactivate_old_key',
  'free_slot',
  'create_new_key',
  'delete_inactive_key',
  'wait_before_delete',
  'schedule_rotation',
];

/** How people read each step code. */
export const STEP_LABELS = {
  remove_root_key: "Remove the root user's key",
  rotate_both: 'Rotate both keys',
  deactivate_unused_key: 'Deactivate the unused key',
  update_applications: 'Move applications to the new key',
  deactivate_old_key: 'Deactivate the old key',
  free_slot: 'Free a slot, then create a new key',
  create_new_key: 'Create a new key',
  delete_inactive_key: 'Delete the inactive key',
  wait_before_delete: 'Wait before deleting',
  schedule_rotation: 'Schedule the rotation',
};

/** A step code as a label; an unknown code as itself. */
export function stepLabel(code) {
  return Object.hasOwn(STEP_LABELS, code) ? STEP_LABELS[code] : String(code);
}

/** How people read a key's role in a step. */
export const ROLE_LABELS = {
  target: 'acted on',
  old: 'old key',
  new: 'new key (leave it)',
  inactive: 'inactive key',
};

/** Whether `step` passes the filters `{step, source, account, user}` (empty = any). */
export function stepMatches(step, { step: code = '', source = '', account = '', user = '' } = {}) {
  if (code && step.step !== code) return false;
  if (source && step.source !== source) return false;
  if (account && step.account_id !== account) return false;
  if (user && !step.user.toLowerCase().includes(user.trim().toLowerCase())) return false;
  return true;
}

/** How many steps of each code, in workflow order (codes with none left out). */
export function stepCounts(steps) {
  const counts = new Map();
  for (const s of steps) counts.set(s.step, (counts.get(s.step) ?? 0) + 1);
  const known = STEP_CODES.filter((c) => counts.has(c)).map((c) => [c, counts.get(c)]);
  const unknown = [...counts].filter(([c]) => !STEP_CODES.includes(c));
  return [...known, ...unknown];
}

/** The steps, filtered on demand and read a page at a time (input order, file by file). */
export class PlanView {
  constructor(steps) {
    this.steps = steps;
    this.key = null;
    this.shown = steps;
  }

  apply(query = {}) {
    const key = JSON.stringify([query.step ?? '', query.source ?? '', query.account ?? '', (query.user ?? '').trim()]);
    if (key !== this.key) {
      this.shown = this.steps.filter((s) => stepMatches(s, query));
      this.key = key;
    }
    return this.shown;
  }

  /** One page (0-based, clamped to the last) of the matching steps. */
  page(query = {}, page = 0, size = 25) {
    const rows = this.apply(query);
    const pages = Math.max(1, Math.ceil(rows.length / size));
    const current = Math.min(Math.max(0, page), pages - 1);
    return {
      rows: rows.slice(current * size, (current + 1) * size),
      total: rows.length,
      page: current,
      pages,
      size,
      first: rows.length === 0 ? 0 : current * size + 1,
    };
  }
}
