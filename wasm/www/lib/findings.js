// The names the page shows for the engine's statuses and severities, and
// its due dates in words. The table's logic
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

/** Severities from the most to the least severe: the order of "sort by severity" and of triage. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];

/** How people read each severity. */
export const SEVERITY_LABELS = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  info: 'Info',
};

/**
 * A key's due date as people read it, from the engine's `days_until_due`:
 * "overdue by 5,500 days", "due today", "due in 12 days"; "—" when unknown.
 */
export function dueText(days, format = (n) => n.toLocaleString('en')) {
  if (days === null || days === undefined) return '—';
  if (days < 0) return `overdue by ${format(-days)} ${days === -1 ? 'day' : 'days'}`;
  if (days === 0) return 'due today';
  return `due in ${format(days)} ${days === 1 ? 'day' : 'days'}`;
}
