// The names the page shows for the engine's statuses. The table's logic
// (sorting, filtering, paging, the age chart's counts) and every export are
// the engine's (`Checker`, keyrot::view), in the worker.

/** Statuses from the most to the least urgent: the order of "sort by status". */
export const STATUSES = ['fail', 'invalid', 'due_soon', 'pass', 'inactive'];

/** How people read each status. */
export const STATUS_LABELS = {
  fail: 'Fail',
  invalid: 'Invalid',
  due_soon: 'Due soon',
  pass: 'Pass',
  inactive: 'Inactive',
};
