// The page's due dates in words (the statuses' and severities' labels are
// the engine's, from `labels()`). The table's logic
// (sorting, filtering, paging, the age chart's counts) and every export are
// the engine's (`Checker`, keyrot::view), in the worker.

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
