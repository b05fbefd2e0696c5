// The findings table's logic, apart from the DOM so the worker can run it and
// Node can test it: sorting, filtering, paging, the age histogram and the CSV
// export. Findings are the objects of the JSON contract (testdata/README.md).

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

const STATUS_RANK = Object.fromEntries(STATUSES.map((s, i) => [s, i]));

/** The columns one can sort by, and how each compares. (`source`: the file of the finding, when several are checked.) */
export const SORT_KEYS = ['status', 'source', 'account_id', 'user', 'slot', 'last_rotated', 'age_days', 'days_until_due', 'last_used', 'line'];

function sortValue(finding, key) {
  switch (key) {
    case 'status':
      return STATUS_RANK[finding.status] ?? STATUSES.length;
    case 'last_used':
      // Timestamps sort as text (RFC 3339 in UTC); `never` and
      // `no_information` are "no date" and go last.
      return /^\d/.test(finding.last_used ?? '') ? finding.last_used : null;
    default:
      return finding[key];
  }
}

function compareValues(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), 'en', { sensitivity: 'base', numeric: true });
}

/**
 * A comparator for `key` in direction `dir` (`asc` or `desc`). Missing values
 * go last in both directions; ties keep input order (line, then slot; file
 * by file for findings of several files).
 */
export function comparator(key, dir = 'asc') {
  if (!SORT_KEYS.includes(key)) throw new Error(`cannot sort by ${key}`);
  const sign = dir === 'desc' ? -1 : 1;
  return (a, b) => {
    const va = sortValue(a, key);
    const vb = sortValue(b, key);
    const missingA = va === null || va === undefined;
    const missingB = vb === null || vb === undefined;
    if (missingA !== missingB) return missingA ? 1 : -1;
    const c = missingA ? 0 : sign * compareValues(va, vb);
    if (c !== 0) return c;
    // Findings of several files (they name their `source`) repeat lines: a
    // tie keeps their input order (file by file), which Array#sort keeps.
    return a.source !== undefined || b.source !== undefined ? 0 : a.line - b.line || a.slot - b.slot;
  };
}

/**
 * Whether `finding` passes the filters `{status, account, user, source,
 * exempted}` (empty = any). `exempted` is `yes` (an exemption in force matched
 * the key) or `no`; `source` is the file's name.
 */
export function matches(finding, { status = '', account = '', user = '', source = '', exempted = '' } = {}) {
  if (status && finding.status !== status) return false;
  if (account && finding.account_id !== account) return false;
  if (source && finding.source !== source) return false;
  if (exempted === 'yes' && !finding.exempted) return false;
  if (exempted === 'no' && finding.exempted) return false;
  if (user && !finding.user.toLowerCase().includes(user.toLowerCase())) return false;
  return true;
}

/**
 * The findings as a table: sorted once per sort order, filtered on demand,
 * read a page at a time. Built for hundreds of thousands of rows.
 */
export class FindingsView {
  constructor(findings) {
    this.findings = findings;
    this.sortKey = 'line';
    this.sortDir = 'asc';
    this.sorted = findings; // input order is line order
    this.filters = {};
    this.shown = findings;
  }

  /** Applies `{sort, dir, status, account, user, source, exempted}`; returns the matching rows. */
  apply({ sort = 'line', dir = 'asc', status = '', account = '', user = '', source = '', exempted = '' } = {}) {
    if (sort !== this.sortKey || dir !== this.sortDir) {
      this.sorted = sort === 'line' && dir === 'asc' ? this.findings : [...this.findings].sort(comparator(sort, dir));
      this.sortKey = sort;
      this.sortDir = dir;
      this.filters = null;
    }
    const filters = { status, account, user: user.trim(), source, exempted };
    if (!this.filters || JSON.stringify(filters) !== JSON.stringify(this.filters)) {
      const any = filters.status || filters.account || filters.user || filters.source || filters.exempted;
      this.shown = any ? this.sorted.filter((f) => matches(f, filters)) : this.sorted;
      this.filters = filters;
    }
    return this.shown;
  }

  /** One page (0-based `page`, clamped to the last) of the matching rows. */
  page(query = {}, page = 0, size = 100) {
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

/** A step of 1, 2 or 5 times a power of ten, at least `raw`. */
export function niceStep(raw) {
  if (!(raw > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) {
    if (m * power >= raw) return m * power;
  }
  return 10 * power;
}

/**
 * Key ages in bins for the chart: keys with a usable age (not `invalid`),
 * counted per status. The axis runs to at least twice the limit; older keys
 * share the last bin (`overflow`).
 */
export function histogram(findings, maxAgeDays, targetBins = 40) {
  const ages = [];
  let unusable = 0;
  for (const f of findings) {
    if (f.status === 'invalid' || f.age_days === null || f.age_days < 0) unusable++;
    else ages.push(f.age_days);
  }
  const oldest = ages.reduce((m, a) => Math.max(m, a), 0);
  const span = Math.max(maxAgeDays * 2, Math.min(oldest + 1, maxAgeDays * 6));
  const binDays = niceStep(span / targetBins);
  const count = Math.ceil(span / binDays);
  const bins = Array.from({ length: count }, (_, i) => ({
    start: i * binDays,
    end: (i + 1) * binDays,
    counts: { fail: 0, due_soon: 0, pass: 0, inactive: 0 },
  }));
  let overflow = false;
  for (const f of findings) {
    if (f.status === 'invalid' || f.age_days === null || f.age_days < 0) continue;
    let i = Math.floor(f.age_days / binDays);
    if (i >= count) {
      i = count - 1;
      overflow = true;
    }
    bins[i].counts[f.status] += 1;
  }
  const tallest = bins.reduce((m, b) => Math.max(m, b.counts.fail + b.counts.due_soon + b.counts.pass + b.counts.inactive), 0);
  return { binDays, bins, overflow, shown: ages.length, unusable, tallest, oldest, maxAgeDays };
}

/** The finding fields in the export, in the contract's order. */
export const EXPORT_COLUMNS = [
  'account_id',
  'user',
  'arn',
  'is_root',
  'slot',
  'status',
  'active',
  'last_rotated',
  'age_days',
  'due_at',
  'days_until_due',
  'last_used',
  'last_used_region',
  'last_used_service',
  'used_since_rotation',
  'exempted',
  'reason',
  'code',
  'line',
];

/**
 * A text cell that a spreadsheet would run as a formula (it starts with `=`,
 * `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, so it is
 * shown as text. Numbers are left alone: they are written as numbers.
 */
export function neutralize(text) {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function csvCell(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = neutralize(typeof value === 'object' ? JSON.stringify(value) : String(value));
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The columns of the export when several files were checked: the file's name first. */
export const MANY_EXPORT_COLUMNS = ['source', ...EXPORT_COLUMNS];

/** The findings as CSV (RFC 4180, CRLF), text cells neutralized. */
export function toCsv(findings, columns = EXPORT_COLUMNS) {
  const lines = [columns.join(',')];
  for (const f of findings) lines.push(columns.map((c) => csvCell(f[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
