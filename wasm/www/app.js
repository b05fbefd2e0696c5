// The page: reads one report or several (or pasted text), an optional
// exemptions file and an optional access-key list, sends their bytes to the
// worker that runs the engine, and shows the verdict, the counts (per status,
// per file, per account), the age chart, the anomalies, the exemptions, one
// page of the findings and one page of the rotation plan at a time.
//
// Text from the files only ever reaches the page through textContent, an
// attribute value or an <option> built with new Option(): never as HTML.
// The plan's commands are shown and copied exactly as the engine wrote them
// (already quoted for the shell); the page never builds a command.
import { STATUSES, STATUS_LABELS } from './lib/findings.js';
import { ROLE_LABELS, stepLabel } from './lib/plan.js';

const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const number = new Intl.NumberFormat('en');

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });

const EMPTY_QUERY = { sort: 'line', dir: 'asc', status: '', account: '', user: '', source: '', exempted: '', rule: '' };
/** The rotation rule: the one the counts per status, the chart and the plan are of. */
const ROTATION = 'access_key_rotated';
const EMPTY_PLAN_QUERY = { step: '', source: '', user: '' };
const PLAN_PAGE_SIZE = 25;

const state = {
  nextId: 1,
  checkId: 0, // the latest load or options message: older results are stale
  queryId: 0,
  planId: 0,
  loaded: false,
  hasResult: false,
  name: '',
  many: false,
  query: { ...EMPTY_QUERY },
  page: 0,
  size: 100,
  pages: 1,
  total: 0,
  tab: 'findings',
  planQuery: { ...EMPTY_PLAN_QUERY },
  planPage: 0,
  planPages: 1,
  /** {name, text} of the exemptions file, or null. */
  exemptions: null,
  /** {name, text} of the access-key list, or null. */
  accessKeys: null,
  /** The files checked, [{name, blob: Blob}] (a File is one): the workers read them in pieces. */
  files: [],
  /** The options of the latest check message, and of the shown result. */
  checkOptions: null,
  resultOptions: null,
  /** What the plan's worker must plan: bumped by every result and key list. */
  planVersion: 0,
  planMade: -1,
  /** [{source, as_of, error}] of the shown result, one per file. */
  planReports: [],
  /** Whether the shown findings carry `rule` and `cis` (a run of more than the rotation rule, or with a CIS version). */
  labelled: false,
};

// --- options ------------------------------------------------------------------

/** An instant as the date box shows it: RFC 3339 in UTC, to the second. */
function utcInputValue(date) {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * The date box's text as the engine's `asOf`, read as UTC whatever the
 * browser's time zone: a day alone is its midnight, a time without seconds
 * gets `:00`, `Z` may be left out, a space may stand for `T`. Anything else
 * goes to the engine as typed, which names what is wrong.
 */
function utcAsOf(text) {
  const m = text.trim().match(/^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?)?(Z|z)?$/);
  if (!m) return text.trim();
  return `${m[1]}T${m[2] ?? '00:00'}${m[3] ?? ':00'}Z`;
}

/** The options object of `analyze` (and of `plan`, but for the key list), from the form. */
function currentOptions() {
  const options = {
    granularity: $('granularity').value,
    format: $('format').value,
    includeInactive: $('include-inactive').checked,
    lenient: $('lenient').checked,
  };
  // The default (no `rules`, no `cisVersion`) is the rotation rule alone, unlabelled.
  if ($('rules').value) options.rules = $('rules').value;
  if ($('cis-version').value) options.cisVersion = $('cis-version').value;
  const maxAge = $('max-age').value.trim();
  const warn = $('warn').value.trim();
  const grace = $('grace').value.trim();
  // Out-of-range or fractional numbers go to the engine, which names them.
  if (maxAge !== '') options.maxAgeDays = Number(maxAge);
  if (warn !== '') options.warnDays = Number(warn);
  if (grace !== '') options.graceDays = Number(grace);
  if ($('as-of-fixed').checked && $('as-of').value) {
    options.asOf = utcAsOf($('as-of').value);
  }
  // The engine reads the TOML itself (keyrot::Exemptions::from_toml).
  if (state.exemptions) options.exemptions = state.exemptions.text;
  return options;
}

// --- talking to the worker ----------------------------------------------------

function send(message, transfer = []) {
  const id = state.nextId++;
  worker.postMessage({ ...message, id }, transfer);
  return id;
}

function setStatus(text) {
  $('status').textContent = text;
}

function megabytes(bytes) {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${number.format(Math.ceil(bytes / 1e3))} kB`;
}

/** Checks `files` ([{name, blob: Blob}]): one report, or several together. */
function load(files) {
  const label = files.length === 1 ? files[0].name : `${files.length} files`;
  state.name = label;
  state.query = { ...EMPTY_QUERY };
  state.page = 0;
  state.planQuery = { ...EMPTY_PLAN_QUERY };
  state.planPage = 0;
  $('filter-user').value = '';
  $('plan-user').value = '';
  const size = files.reduce((n, f) => n + f.blob.size, 0);
  setStatus(`Checking ${label} (${megabytes(size)})…`);
  $('result').setAttribute('aria-busy', 'true');
  state.files = files;
  state.checkOptions = currentOptions();
  // A Blob is sent as a handle to its bytes, not a copy of them.
  state.checkId = send({ type: 'load', files, options: state.checkOptions });
}

function loadFileList(list) {
  const files = [...(list ?? [])];
  if (files.length) load(files.map((file) => ({ name: file.name, blob: file })));
}

let recheckTimer = 0;

/** Checks the same files with the new options (after typing settles). */
function recheck(delay = 250) {
  if (!state.loaded) return;
  clearTimeout(recheckTimer);
  recheckTimer = setTimeout(() => {
    const options = currentOptions();
    // A text box reports a change when it loses the focus, also when its
    // text is what was checked: the same options are not judged again.
    if (JSON.stringify(options) === JSON.stringify(state.checkOptions)) return;
    setStatus(`Checking ${state.name} again…`);
    state.checkOptions = options;
    state.checkId = send({ type: 'options', options: state.checkOptions });
  }, delay);
}

function requestPage() {
  state.queryId = send({ type: 'query', query: state.query, page: state.page, size: state.size });
}

function requestPlan() {
  if (!state.hasResult) return;
  // The worker makes the plan from the findings it holds (the engine's
  // plan of each row, written out a page at a time), once per result and
  // access-key list.
  const make = state.planMade !== state.planVersion;
  if (make) {
    state.planMade = state.planVersion;
    $('plan-status').textContent = 'Making the plan…';
  }
  $('panel-plan').setAttribute('aria-busy', 'true');
  state.planId = send({
    type: 'plan',
    make,
    accessKeys: state.accessKeys?.text ?? null,
    query: state.planQuery,
    page: state.planPage,
    size: PLAN_PAGE_SIZE,
  });
}

worker.onmessage = ({ data }) => {
  switch (data.type) {
    case 'ready':
      break;
    case 'result':
      if (data.id !== state.checkId) return;
      state.loaded = true;
      state.hasResult = true;
      state.resultOptions = state.checkOptions;
      state.planVersion++;
      state.planReports = data.many
        ? data.meta.reports.map((r) => ({ source: r.source, as_of: r.as_of, error: r.error }))
        : [{ source: data.name, as_of: data.meta.as_of, error: null }];
      showResult(data);
      requestPage();
      clearPlan();
      if (state.tab === 'plan') requestPlan();
      break;
    case 'error':
      if (data.id !== state.checkId) return;
      state.loaded = true; // the bytes are kept: new options may fix it
      state.hasResult = false;
      showError(data.error);
      break;
    case 'page':
      if (data.id !== state.queryId) return;
      showPage(data);
      break;
    case 'plan':
      if (data.id === state.planId) showPlan(data);
      break;
    case 'export':
      download(data.blob, data.filename);
      setStatus(`Saved ${number.format(data.count)} findings as ${data.filename}.`);
      break;
  }
};

worker.onerror = (event) => {
  showError({ message: `the checker failed to start: ${event.message ?? 'unknown error'}`, code: null, line: null, column: null, value: null });
};

// --- the error ------------------------------------------------------------------

function showError(error) {
  $('result').hidden = true;
  $('result').removeAttribute('aria-busy');
  const box = $('error');
  const optionProblem = error.code === 'invalid_policy' || error.code === 'invalid_as_of';
  const exemptionProblem = error.code === 'invalid_exemptions';
  $('error-title').textContent = exemptionProblem
    ? `The exemptions file${state.exemptions ? ` ${state.exemptions.name}` : ''} cannot be used`
    : optionProblem
      ? 'These options cannot be used'
      : `${state.name || 'This file'} cannot be checked`;
  $('error-message').textContent = error.message;
  $('error-code').textContent = error.code ?? '—';
  $('error-line').textContent = error.line ?? '—';
  $('error-column').textContent = error.column ?? '—';
  $('error-value').textContent = error.value ?? '—';
  const rowLevel = ['invalid_timestamp', 'invalid_boolean', 'field_count'].includes(error.code);
  $('error-hint').hidden = !rowLevel || $('lenient').checked;
  $('error-exemptions-hint').hidden = !exemptionProblem;
  box.hidden = false;
  setStatus('');
}

// --- the result ---------------------------------------------------------------

const SOURCE_TEXT = {
  explicit: 'the time you chose',
  report: "the report's GeneratedTime",
  clock: 'now',
};

const FORMAT_TEXT = { csv: 'CSV', base64: 'base64 CSV', cli_json: 'AWS CLI JSON' };

const EXEMPTION_TEXT = {
  exemption_expired: 'Expired',
  exemption_invalid: 'Invalid',
  exemption_unused: 'Unused',
};

function plural(n, word, words = `${word}s`) {
  return `${number.format(n)} ${n === 1 ? word : words}`;
}

function showResult(data) {
  const { meta } = data;
  const { summary, policy } = meta;
  state.many = data.many;
  $('error').hidden = true;
  $('result').hidden = false;
  $('result').removeAttribute('aria-busy');

  const reports = meta.reports ?? [];
  const failed = reports.filter((r) => r.error);
  const readCount = reports.length - failed.length;

  const verdict = $('verdict');
  const nothingRead = data.many && readCount === 0;
  verdict.className = `verdict ${summary.compliant && !nothingRead ? 'ok' : 'bad'}`;
  $('verdict-title').textContent = nothingRead ? 'Not checked' : summary.compliant ? 'Compliant' : 'Not compliant';
  const parts = [];
  if (data.many) {
    parts.push(
      nothingRead
        ? `None of the ${plural(reports.length, 'file')} could be read (see Files).`
        : `Over all ${plural(readCount, 'file')} checked together${failed.length ? ` (${readCount} of ${reports.length})` : ''}:`,
    );
  }
  if (summary.keys === 0 && !nothingRead) parts.push(data.many ? 'no access keys.' : 'No access keys in this report.');
  if (summary.fail) parts.push(`${plural(summary.fail, 'key')} over the ${policy.max_age_days}-day limit.`);
  if (summary.invalid) parts.push(`${plural(summary.invalid, 'key')} cannot be judged (counted as failing).`);
  if (summary.due_soon) parts.push(`${plural(summary.due_soon, 'key')} due within ${policy.warn_days} days.`);
  if (summary.exempted) {
    parts.push(`${plural(summary.exempted, 'key')} exempted (accepted exceptions: they keep their status but do not count against compliance).`);
  }
  if (summary.compliant && summary.active_keys) {
    parts.push(`Every active key is within the ${policy.max_age_days}-day limit${summary.exempted ? ' or exempted' : ''}.`);
  }
  const others = Object.entries(summary.rules ?? {}).filter(([rule, c]) => rule !== ROTATION && c.fail + c.invalid > 0);
  if (others.length) {
    const n = others.reduce((sum, [, c]) => sum + c.fail + c.invalid, 0);
    parts.push(`${plural(n, 'finding')} of ${plural(others.length, 'other check')} ${n === 1 ? 'fails' : 'fail'} or cannot be judged (see Per check).`);
  }
  if (failed.length && !nothingRead) {
    parts.push(`${plural(failed.length, 'file')} could not be read and ${failed.length === 1 ? 'is' : 'are'} not in this verdict (see Files).`);
  }
  $('verdict-detail').textContent = parts.join(' ');

  state.labelled = Boolean(summary.rules);
  const counts = $('counts');
  counts.setAttribute(
    'aria-label',
    state.labelled ? 'Keys per status, key rotation check (select one to filter the table)' : 'Keys per status (select one to filter the table)',
  );
  counts.replaceChildren();
  for (const status of STATUSES) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = `count status-${status}`;
    button.dataset.status = status;
    button.setAttribute('aria-pressed', String(statusCountPressed(status)));
    const value = document.createElement('span');
    value.className = 'count-value';
    value.textContent = number.format(summary[status]);
    const label = document.createElement('span');
    label.className = 'count-label';
    label.textContent = STATUS_LABELS[status];
    button.append(value, label);
    button.addEventListener('click', () => {
      showTab('findings');
      // These are the rotation rule's counts: with other checks, they show its keys.
      const pressed = statusCountPressed(status);
      if (state.labelled) setFilter({ status: pressed ? '' : status, rule: pressed ? state.query.rule : ROTATION });
      else setStatusFilter(pressed ? '' : status);
    });
    const item = document.createElement('li');
    item.append(button);
    counts.append(item);
  }

  const oldest = summary.oldest_active_key_age_days;
  const totals =
    `${plural(summary.users, 'user')}, ${plural(summary.keys, 'key')} (${number.format(summary.active_keys)} active)` +
    ` in ${plural(summary.accounts.length, 'account')}; ` +
    (oldest === null ? 'no active key with a usable date. ' : `oldest active key ${plural(oldest, 'day')}. `);
  const rule =
    `Limit ${policy.max_age_days} days (${policy.granularity === 'exact' ? 'exact' : 'whole days'}), ` +
    `warning ${policy.warn_days} days before, grace before deleting ${plural(policy.grace_days, 'day')}.`;
  if (data.many) {
    const read = reports.filter((r) => !r.error);
    const times = [...new Set(read.map((r) => r.as_of))];
    const sources = [...new Set(read.map((r) => r.as_of_source))];
    const when =
      times.length === 1
        ? `Judged as of ${times[0]} (${sources.length === 1 ? SOURCE_TEXT[sources[0]] : 'see Files'}). `
        : times.length > 1
          ? 'Each file is judged at its own time (see Files). '
          : '';
    $('context').textContent = `${when}${totals}${rule}`;
  } else {
    $('context').textContent =
      `Judged as of ${meta.as_of} (${SOURCE_TEXT[meta.as_of_source]}). ${totals}${rule} ` +
      `Input: ${FORMAT_TEXT[meta.input_format] ?? meta.input_format}, ${meta.layout} layout` +
      (meta.generated_time ? `, generated ${meta.generated_time}.` : '.');
  }

  showRules(summary.rules, meta.checks, data.cis ?? {});
  showReports(data.many ? reports : null);
  showAccounts(summary.accounts, data.many);
  showExemptions(data);
  drawChart(data.histogram, policy);
  showAnomalies(data.anomalies, data.anomalyCount);

  const statusSelect = $('filter-status');
  statusSelect.replaceChildren(new Option('all', ''), ...STATUSES.map((s) => new Option(STATUS_LABELS[s], s)));
  statusSelect.value = state.query.status;
  const accountSelect = $('filter-account');
  accountSelect.replaceChildren(
    new Option('all', ''),
    ...summary.accounts.map((a) => new Option(`${a.account_id || '(none)'} (${number.format(a.keys)})`, a.account_id)),
  );
  if (!summary.accounts.some((a) => a.account_id === state.query.account)) state.query.account = '';
  accountSelect.value = state.query.account;

  const readSources = reports.filter((r) => !r.error).map((r) => r.source);
  fillSourceSelect($('filter-source'), data.many ? readSources : []);
  if (!readSources.includes(state.query.source)) state.query.source = '';
  $('filter-source').value = state.query.source;
  $('filter-source-label').hidden = !data.many;
  $('th-source').hidden = !data.many;
  const ruleSelect = $('filter-rule');
  const judged = rulesJudged(summary.rules, meta.checks);
  ruleSelect.replaceChildren(
    new Option(`all (${number.format(Object.values(summary.rules ?? {}).reduce((n, c) => n + c.findings, 0))})`, ''),
    ...judged.map((rule) => new Option(`${ruleName(rule, data.cis?.[rule])} (${number.format(summary.rules[rule]?.findings ?? 0)})`, rule)),
  );
  if (!judged.includes(state.query.rule)) state.query.rule = '';
  ruleSelect.value = state.query.rule;
  $('filter-rule-label').hidden = !state.labelled;
  $('th-rule').hidden = !state.labelled;
  $('findings-table').classList.toggle('labelled', state.labelled);
  $('findings-caption').textContent = state.labelled
    ? 'Findings, one per access key or user and check; select a column heading to sort'
    : 'Findings, one per access key; select a column heading to sort';
  $('filter-exempted-label').hidden = !data.exemptions;
  if (!data.exemptions) state.query.exempted = '';
  $('filter-exempted').value = state.query.exempted;

  const size = `${megabytes(data.bytes)}) in ${(data.millis / 1000).toFixed(1)} s`;
  const checks = state.labelled ? ` under ${plural(judged.length, 'check')}` : '';
  setStatus(
    `Checked ${data.name}: ${plural(summary.keys, 'key')} in ${plural(summary.users, 'row')}${checks} (${size}.` +
      (failed.length ? ` ${plural(failed.length, 'file')} could not be read.` : ''),
  );
}

/** Whether the count of `status` is pressed: the table shows that status (of the rotation rule, when there are others). */
function statusCountPressed(status) {
  return state.query.status === status && (!state.labelled || state.query.rule === ROTATION);
}

/** The rules judged, in the engine's order: `checks.rules`, else the keys of `summary.rules`. */
function rulesJudged(rules, checks) {
  if (!rules) return [];
  return checks?.rules ?? Object.keys(rules);
}

/** A rule as the page names it: its id, and its CIS number when the run's version has one. */
function ruleName(rule, cis) {
  return cis ? `${rule}, CIS ${cis}` : rule;
}

/**
 * The list under the counts, when the run judged more than the rotation rule:
 * each check's failures (and findings that cannot be judged) of its findings,
 * as a toggle that shows them in the table.
 */
function showRules(rules, checks, cis) {
  const box = $('rules-box');
  box.hidden = !rules;
  if (!rules) return;
  $('rules-heading').textContent = checks?.cis_version ? `Per check (CIS ${checks.cis_version})` : 'Per check';
  $('rule-counts').replaceChildren(
    ...rulesJudged(rules, checks).map((rule) => {
      const c = rules[rule] ?? { findings: 0, fail: 0, invalid: 0, exempted: 0 };
      const button = document.createElement('button');
      button.type = 'button';
      button.className = `rule-count${c.fail + c.invalid > 0 ? ' failing' : ''}`;
      button.dataset.rule = rule;
      button.setAttribute('aria-pressed', String(ruleCountPressed(rule)));
      const name = document.createElement('code');
      name.className = 'rule-id';
      name.textContent = rule;
      const number_ = document.createElement('span');
      number_.className = 'rule-cis';
      number_.textContent = cis[rule] ? `CIS ${cis[rule]}` : c.findings === 0 ? '' : 'no CIS number in this version';
      const tally = document.createElement('span');
      tally.className = 'rule-tally';
      const extra = [c.invalid ? `${number.format(c.invalid)} invalid` : '', c.exempted ? `${number.format(c.exempted)} exempted` : ''].filter(Boolean);
      tally.textContent =
        `${number.format(c.fail)} fail${extra.length ? `, ${extra.join(', ')}` : ''} of ${plural(c.findings, 'finding')}`;
      button.append(name, number_, tally);
      button.addEventListener('click', () => {
        showTab('findings');
        setFilter(ruleCountPressed(rule) ? { rule: '', status: '' } : { rule, status: 'fail' });
      });
      const item = document.createElement('li');
      item.append(button);
      return item;
    }),
  );
}

/** Whether a check's entry under Per check is pressed: the table shows that check's failures. */
function ruleCountPressed(rule) {
  return state.query.rule === rule && state.query.status === 'fail';
}

/** Options for a file select: "all" and each name (the text and value are the name, as text). */
function fillSourceSelect(select, names) {
  select.replaceChildren(new Option('all', ''), ...names.map((n) => new Option(n, n)));
}

function cell(text, className = '') {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function showReports(reports) {
  const box = $('reports-box');
  box.hidden = !reports;
  if (!reports) return;
  $('reports-body').replaceChildren(
    ...reports.map((r) => {
      const tr = document.createElement('tr');
      const file = cell(r.source, 'source');
      const result = document.createElement('td');
      const badge = document.createElement('span');
      if (r.error) {
        tr.className = 'failed';
        badge.className = 'badge status-invalid';
        badge.textContent = 'Not read';
      } else {
        badge.className = `badge ${r.summary.compliant ? 'status-pass' : 'status-fail'}`;
        badge.textContent = r.summary.compliant ? 'Compliant' : 'Not compliant';
      }
      result.append(badge);
      const n = (key) => cell(r.summary ? number.format(r.summary[key]) : '—', 'num');
      const error = document.createElement('td');
      error.className = 'report-error';
      if (r.error) {
        const where = [r.error.line === null ? null : `line ${r.error.line}`, r.error.column === null ? null : `column ${r.error.column}`]
          .filter(Boolean)
          .join(', ');
        const code = document.createElement('code');
        code.textContent = r.error.code;
        const place = document.createElement('span');
        place.className = 'error-place';
        place.textContent = where ? ` (${where})` : '';
        const message = document.createElement('div');
        message.textContent = r.error.message;
        error.append(code, place, message);
      } else {
        error.textContent = '—';
      }
      const when = r.as_of ? `${timestamp(r.as_of)} (${SOURCE_TEXT[r.as_of_source] ?? r.as_of_source})` : '—';
      tr.append(file, result, n('keys'), n('fail'), n('invalid'), n('due_soon'), n('exempted'), cell(when, 'nowrap'), error);
      return tr;
    }),
  );
}

function showAccounts(accounts, open) {
  const box = $('accounts-box');
  box.hidden = accounts.length === 0;
  box.open = open;
  $('accounts-summary').textContent = `Per account (${plural(accounts.length, 'account')})`;
  $('accounts-body').replaceChildren(
    ...accounts.map((a) => {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = a.account_id || '(none)';
      const verdict = document.createElement('td');
      const badge = document.createElement('span');
      badge.className = `badge ${a.compliant ? 'status-pass' : 'status-fail'}`;
      badge.textContent = a.compliant ? 'Compliant' : 'Not compliant';
      verdict.append(badge);
      const n = (key) => cell(a[key] === null ? '—' : number.format(a[key]), 'num');
      tr.append(th, verdict, n('users'), n('keys'), n('fail'), n('invalid'), n('due_soon'), n('pass'), n('inactive'), n('exempted'), n('oldest_active_key_age_days'));
      return tr;
    }),
  );
}

function showExemptions(data) {
  const box = $('exemptions-box');
  box.hidden = !data.exemptions;
  if (!data.exemptions) return;
  const { exempted } = data.meta.summary;
  const byCode = {};
  for (const a of data.exemptionAnomalies) byCode[a.code] = (byCode[a.code] ?? 0) + 1;
  const problems = Object.keys(EXEMPTION_TEXT)
    .filter((code) => byCode[code])
    .map((code) => `${number.format(byCode[code])} ${EXEMPTION_TEXT[code].toLowerCase()}`);
  $('exemptions-summary').textContent =
    `From ${state.exemptions?.name ?? 'the exemptions file'}: ${plural(exempted, 'key')} exempted by an entry in force ` +
    `(marked in the findings; they keep their status but do not count against compliance).` +
    (problems.length ? ` Entries to look at: ${problems.join(', ')}.` : ' Every entry is in force and used.');
  $('exemption-anomalies').replaceChildren(
    ...data.exemptionAnomalies.map((a) => {
      const item = document.createElement('li');
      item.dataset.code = a.code;
      const badge = document.createElement('span');
      badge.className = `badge exemption-${a.code.replace('exemption_', '')}`;
      badge.textContent = EXEMPTION_TEXT[a.code] ?? a.code;
      const where = a.source ? `${a.source}: ` : '';
      item.append(badge, document.createTextNode(` ${where}${a.message}`));
      return item;
    }),
  );
  if (data.exemptionAnomalyCount > data.exemptionAnomalies.length) {
    const more = document.createElement('li');
    more.textContent = `… and ${number.format(data.exemptionAnomalyCount - data.exemptionAnomalies.length)} more.`;
    $('exemption-anomalies').append(more);
  }
  $('show-exempted').hidden = exempted === 0;
}

function showAnomalies(anomalies, total) {
  const box = $('anomalies');
  box.hidden = total === 0;
  $('anomalies-summary').textContent =
    `${plural(total, 'anomaly', 'anomalies')}: things to look at that do not stop the check` +
    (total > anomalies.length ? ` (the first ${number.format(anomalies.length)} are listed)` : '');
  const list = $('anomaly-list');
  list.replaceChildren();
  for (const anomaly of anomalies) {
    const item = document.createElement('li');
    const code = document.createElement('code');
    code.textContent = anomaly.code;
    const where = [anomaly.source, anomaly.line === null ? null : `line ${anomaly.line}`].filter(Boolean).join(' ');
    item.append(code, document.createTextNode(`${where ? ` ${where}` : ''}: ${anomaly.message}`));
    list.append(item);
  }
}

// --- the chart -------------------------------------------------------------------

const CHART_ORDER = ['inactive', 'pass', 'due_soon', 'fail'];

function svg(name, attributes = {}, text = null) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== null) element.textContent = text;
  return element;
}

function niceStep(raw) {
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-9)));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
}

function drawChart(hist, policy) {
  const chart = $('chart');
  chart.replaceChildren();
  const width = 960;
  const height = 300;
  const margin = { left: 78, right: 20, top: 34, bottom: 48 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const span = hist.bins.length * hist.bin_days;
  const x = (days) => margin.left + (days / span) * plotW;
  const yMax = Math.max(1, hist.tallest);
  const yStep = Math.max(1, niceStep(yMax / 4));
  const yTop = Math.ceil(yMax / yStep) * yStep;
  const y = (count) => margin.top + plotH - (count / yTop) * plotH;

  // Grid and y axis.
  for (let v = 0; v <= yTop; v += yStep) {
    chart.append(svg('line', { x1: margin.left, x2: width - margin.right, y1: y(v), y2: y(v), class: 'grid' }));
    chart.append(svg('text', { x: margin.left - 8, y: y(v) + 4, class: 'tick', 'text-anchor': 'end' }, number.format(v)));
  }
  chart.append(
    svg('text', { x: 16, y: margin.top + plotH / 2, class: 'axis-label', transform: `rotate(-90 16 ${margin.top + plotH / 2})`, 'text-anchor': 'middle' }, 'keys'),
  );

  // Bars, stacked by status.
  const barW = Math.max(1, (hist.bin_days / span) * plotW - 1);
  for (const bin of hist.bins) {
    let base = 0;
    const last = bin === hist.bins[hist.bins.length - 1] && hist.overflow;
    const range = last ? `${bin.start} days or more` : `${bin.start}–${bin.end - 1} days`;
    for (const status of CHART_ORDER) {
      const n = bin.counts[status];
      if (!n) continue;
      const rect = svg('rect', {
        x: x(bin.start) + 0.5,
        y: y(base + n),
        width: barW,
        height: Math.max(1, y(base) - y(base + n)),
        class: `bar status-${status}`,
      });
      rect.append(svg('title', {}, `${range}: ${plural(n, 'key')} ${STATUS_LABELS[status].toLowerCase()}`));
      chart.append(rect);
      base += n;
    }
  }

  if (hist.overflow) {
    const last = hist.bins[hist.bins.length - 1];
    const total = CHART_ORDER.reduce((n, st) => n + last.counts[st], 0);
    chart.append(svg('text', { x: x(last.start) + barW / 2, y: y(total) - 6, class: 'overflow-label', 'text-anchor': 'middle' }, `≥ ${last.start}`));
  }

  // X axis.
  chart.append(svg('line', { x1: margin.left, x2: width - margin.right, y1: y(0), y2: y(0), class: 'axis' }));
  const xStep = niceStep(span / 10);
  for (let d = 0; d <= span; d += xStep) {
    chart.append(svg('text', { x: x(d), y: y(0) + 18, class: 'tick', 'text-anchor': 'middle' }, number.format(d)));
  }
  chart.append(svg('text', { x: margin.left + plotW / 2, y: height - 8, class: 'axis-label', 'text-anchor': 'middle' }, 'key age (days)'));

  // The limit, and where "due soon" starts.
  const limitX = x(policy.max_age_days);
  chart.append(svg('line', { x1: limitX, x2: limitX, y1: margin.top - 14, y2: y(0), class: 'limit' }));
  chart.append(svg('text', { x: limitX + 4, y: margin.top - 18, class: 'limit-label' }, `limit ${policy.max_age_days} days`));
  if (policy.warn_days > 0 && policy.warn_days < policy.max_age_days) {
    const warnX = x(policy.max_age_days - policy.warn_days);
    chart.append(svg('line', { x1: warnX, x2: warnX, y1: margin.top, y2: y(0), class: 'warn' }));
    chart.append(svg('text', { x: warnX - 4, y: margin.top - 4, class: 'warn-label', 'text-anchor': 'end' }, `due soon from ${policy.max_age_days - policy.warn_days}`));
  }

  const over = hist.bins.reduce((n, b) => n + b.counts.fail, 0);
  $('chart-caption').textContent =
    `Ages of ${plural(hist.shown, 'key')}, by status; the red line is the ${policy.max_age_days}-day limit` +
    (over ? `, ${number.format(over)} failing.` : '.') +
    (hist.unusable ? ` ${plural(hist.unusable, 'key')} without a usable date ${hist.unusable === 1 ? 'is' : 'are'} not drawn.` : '');
}

// --- the table -------------------------------------------------------------------

function timestamp(text) {
  return text === null ? '—' : text.replace('T', ' ').replace(/Z$/, '');
}

function lastUsedText(f) {
  if (f.slot === null) return '—'; // a finding about a user, not a key
  if (f.last_used === null) return '— (legacy layout)';
  const when = f.last_used === 'never' ? 'never' : f.last_used === 'no_information' ? 'no information' : timestamp(f.last_used);
  const where = [f.last_used_service, f.last_used_region].filter(Boolean).join(', ');
  return where ? `${when} (${where})` : when;
}

/** "until 2027-01-31, owner …: reason" for an exemption in force. */
function exemptionText(e) {
  return `Exempted until ${e.expires} (owner ${e.owner}): ${e.reason}`;
}

function row(f) {
  const tr = document.createElement('tr');
  const status = document.createElement('td');
  const badge = document.createElement('span');
  badge.className = `badge status-${STATUSES.includes(f.status) ? f.status : 'invalid'}`;
  badge.textContent = STATUS_LABELS[f.status] ?? f.status;
  status.append(badge);
  const reason = cell(f.reason, 'reason');
  if (f.exempted) {
    tr.classList.add('exempted');
    const mark = document.createElement('span');
    mark.className = 'exempt-mark';
    mark.textContent = 'exempted';
    mark.title = exemptionText(f.exempted);
    status.append(mark);
    const note = document.createElement('span');
    note.className = 'exempt-note';
    note.textContent = exemptionText(f.exempted);
    reason.append(note);
  }
  const user = cell(f.is_root ? `${f.user} (root)` : f.user, 'user');
  user.title = f.arn;
  const due = f.days_until_due;
  tr.append(status);
  if (state.labelled) {
    const check = document.createElement('td');
    check.className = 'rule';
    const id = document.createElement('code');
    // The id may break after its underscores, and only there.
    for (const [i, part] of (f.rule ?? '').split('_').entries()) {
      if (i) id.append('_', document.createElement('wbr'));
      id.append(part);
    }
    check.append(id);
    if (f.rule !== undefined) {
      const cis = document.createElement('span');
      cis.className = 'rule-cis';
      cis.textContent = f.cis ? `CIS ${f.cis}` : 'no CIS number';
      check.append(cis);
    }
    tr.append(check);
  }
  if (state.many) tr.append(cell(f.source ?? '', 'source'));
  // A finding about a user rather than a key has no slot (and no key to be active).
  const keyless = f.slot === null;
  tr.append(
    cell(f.account_id),
    user,
    cell(keyless ? '—' : String(f.slot), 'num'),
    cell(keyless ? '—' : f.active ? 'yes' : 'no'),
    cell(timestamp(f.last_rotated), 'nowrap'),
    cell(f.age_days === null ? '—' : number.format(f.age_days), 'num'),
    cell(due === null ? '—' : number.format(due), due !== null && due < 0 ? 'num overdue' : 'num'),
    cell(lastUsedText(f), 'last-used'),
    reason,
    cell(String(f.line), 'num'),
  );
  return tr;
}

function showPage(data) {
  state.page = data.page;
  state.pages = data.pages;
  state.total = data.total;
  const body = $('findings-body');
  if (data.rows.length === 0) {
    const tr = document.createElement('tr');
    const nothing = state.labelled ? 'No findings to show.' : 'No access keys to show.';
    const td = cell(data.total === 0 && !anyFilter() ? nothing : 'No finding matches the filters.', 'empty');
    td.colSpan = document.querySelectorAll('#findings-table thead th:not([hidden])').length;
    tr.append(td);
    body.replaceChildren(tr);
  } else {
    body.replaceChildren(...data.rows.map(row));
  }
  const last = data.first === 0 ? 0 : data.first + data.rows.length - 1;
  $('page-info').textContent = `Page ${number.format(data.page + 1)} of ${number.format(data.pages)}`;
  $('shown').textContent = data.total === 0 ? 'No rows.' : `Rows ${number.format(data.first)}–${number.format(last)} of ${number.format(data.total)}${anyFilter() ? ' matching the filters' : ''}.`;
  $('page-first').disabled = $('page-prev').disabled = data.page === 0;
  $('page-next').disabled = $('page-last').disabled = data.page >= data.pages - 1;
  for (const th of document.querySelectorAll('#findings-table th[data-sort]')) {
    const sorted = th.dataset.sort === state.query.sort;
    th.setAttribute('aria-sort', sorted ? (state.query.dir === 'asc' ? 'ascending' : 'descending') : 'none');
  }
  for (const button of document.querySelectorAll('#counts button')) {
    button.setAttribute('aria-pressed', String(statusCountPressed(button.dataset.status)));
  }
  for (const button of document.querySelectorAll('#rule-counts button')) {
    button.setAttribute('aria-pressed', String(ruleCountPressed(button.dataset.rule)));
  }
  $('filter-status').value = state.query.status;
  $('filter-rule').value = state.query.rule;
  $('filter-exempted').value = state.query.exempted;
}

function anyFilter() {
  const q = state.query;
  return Boolean(q.status || q.account || q.source || q.exempted || q.rule || q.user.trim());
}

function setStatusFilter(status) {
  state.query = { ...state.query, status };
  state.page = 0;
  requestPage();
}

function setFilter(change) {
  state.query = { ...state.query, ...change };
  state.page = 0;
  requestPage();
}

// --- the rotation plan -----------------------------------------------------------

let uid = 0;

function element(name, className = '', text = null) {
  const el = document.createElement(name);
  if (className) el.className = className;
  if (text !== null) el.textContent = text;
  return el;
}

function clearPlan() {
  $('plan-steps').replaceChildren();
  $('plan-shown').textContent = '';
  $('plan-info').textContent = '';
  $('plan-status').textContent = '';
  $('plan-error').hidden = true;
  $('plan-reports').hidden = true;
}

function lastUsedOfKey(key) {
  if (key.last_used === null) return 'last use unknown (legacy layout)';
  if (key.last_used === 'never') return 'never used';
  if (key.last_used === 'no_information') return 'no information on last use';
  return `last used ${timestamp(key.last_used)}`;
}

function keyText(key) {
  const id = key.access_key_id ?? `id not known: "$${key.variable}" in the commands`;
  return (
    `Slot ${key.slot}, ${ROLE_LABELS[key.role] ?? key.role}: ${STATUS_LABELS[key.status] ?? key.status}, ` +
    `${key.active ? 'active' : 'inactive'}, created ${timestamp(key.last_rotated)}, ${lastUsedOfKey(key)}; key ${id}`
  );
}

/**
 * Puts `text` on the clipboard. When the Clipboard API is missing or refused,
 * falls back to a read-only text box holding exactly `text`, selected (and
 * copied with the older copy command when the browser still allows it), so a
 * person can press Ctrl+C.
 */
async function copyCommand(text, item, button) {
  item.querySelector('.copy-fallback')?.remove();
  let copied = false;
  try {
    if (!navigator.clipboard?.writeText) throw new Error('no Clipboard API');
    await navigator.clipboard.writeText(text);
    copied = true;
  } catch {
    const box = element('textarea', 'copy-fallback');
    box.readOnly = true;
    box.rows = 2;
    box.spellcheck = false;
    box.value = text;
    box.setAttribute('aria-label', 'The command, selected: press Ctrl+C (or ⌘C) to copy it');
    item.append(box);
    box.focus();
    box.select();
    try {
      copied = document.execCommand('copy');
    } catch {
      copied = false;
    }
    if (copied) {
      box.remove();
      button.focus();
    }
  }
  button.textContent = copied ? 'Copied' : 'Selected';
  $('copy-status').textContent = copied
    ? 'Copied the command to the clipboard.'
    : 'The command is selected in the box below it: press Ctrl+C (or ⌘C) to copy it.';
  clearTimeout(button.resetTimer);
  button.resetTimer = setTimeout(() => {
    button.textContent = 'Copy';
  }, 2000);
}

function commandList(commands, kind) {
  const list = element('ul', `commands ${kind}`);
  for (const command of commands) {
    const item = element('li', 'command');
    const code = element('code', '', command);
    code.id = `command-${++uid}`;
    const button = element('button', 'copy', 'Copy');
    button.type = 'button';
    button.setAttribute('aria-describedby', code.id);
    // The string the engine wrote, already quoted for the shell: never rebuilt.
    button.addEventListener('click', () => copyCommand(command, item, button));
    item.append(code, button);
    list.append(item);
  }
  return list;
}

function renderStep(step) {
  const item = element('li', 'step');
  item.dataset.step = step.step;
  const article = element('article');
  const title = element('h3');
  title.id = `step-${++uid}`;
  article.setAttribute('aria-labelledby', title.id);
  title.append(element('span', 'step-label', stepLabel(step.step)), element('span', 'step-user', step.is_root ? `${step.user} (root)` : step.user));
  const meta = element('p', 'step-meta');
  const where = [`account ${step.account_id || '(none)'}`, `line ${step.line}`];
  if (step.source !== undefined) where.unshift(step.source);
  meta.append(document.createTextNode(`${where.join(' · ')} · step `), element('code', 'step-code', step.step));
  meta.title = step.arn;
  article.append(title, meta, element('p', 'step-reason', step.reason));
  if (step.delete_after) article.append(element('p', 'step-after', `Delete the key after ${timestamp(step.delete_after)} UTC.`));
  if (step.keys.length) {
    const keys = element('ul', 'step-keys');
    keys.setAttribute('aria-label', 'Keys of this step');
    for (const key of step.keys) keys.append(element('li', '', keyText(key)));
    article.append(keys);
  }
  if (step.notes.length) {
    const notes = element('ul', 'step-notes');
    notes.setAttribute('aria-label', 'Notes');
    for (const note of step.notes) notes.append(element('li', '', note));
    article.append(notes);
  }
  if (step.checks.length) {
    article.append(element('h4', '', 'Check first (read-only)'), commandList(step.checks, 'checks'));
  }
  if (step.commands.length) {
    article.append(element('h4', '', 'Then run, after checking (changes IAM)'), commandList(step.commands, 'changes'));
  } else {
    article.append(element('p', 'no-command', step.notes.length ? 'No command to run for this step (see the notes).' : 'No command to run for this step yet.'));
  }
  item.append(article);
  return item;
}

function showPlanError(error) {
  $('panel-plan').removeAttribute('aria-busy');
  $('plan-error').hidden = false;
  $('plan-error-title').textContent = state.accessKeys
    ? `The rotation plan cannot be made: check the access-key list ${state.accessKeys.name}`
    : 'The rotation plan cannot be made';
  $('plan-error-message').textContent = error.message;
  $('plan-error-code').textContent = error.code ?? '—';
  $('plan-error-line').textContent = error.line ?? '—';
  $('plan-error-column').textContent = error.column ?? '—';
}

function showPlan(data) {
  $('panel-plan').removeAttribute('aria-busy');
  state.planPage = data.page;
  state.planPages = data.pages;
  const error = data.error;
  if (error) showPlanError(error);
  else $('plan-error').hidden = true;
  const when = data.asOf === 'several' ? 'each file at its own time' : data.asOf ? `as of ${data.asOf}` : '';
  $('plan-status').textContent = error
    ? ''
    : data.all === 0
      ? `Nothing to do${when ? ` (${when})` : ''}: no key needs a step.`
      : `${plural(data.all, 'step')}, one per user with something to do${when ? `, ${when}` : ''}.` +
        (data.withAccessKeys ? ` Key ids from ${state.accessKeys?.name ?? 'the access-key list'}.` : '');

  const reports = $('plan-reports');
  reports.hidden = !data.many;
  if (data.many) {
    reports.replaceChildren(
      ...data.perReport.map((r) => {
        const item = element('li', r.error ? 'failed' : '');
        item.append(element('strong', '', r.source));
        if (r.error) {
          const where = [r.error.line === null ? null : `line ${r.error.line}`, r.error.column === null ? null : `column ${r.error.column}`].filter(Boolean).join(', ');
          item.append(document.createTextNode(`: not read, no plan (${r.error.code}${where ? `, ${where}` : ''})`));
        } else {
          item.append(document.createTextNode(`: ${r.steps === 0 ? 'nothing to do' : plural(r.steps, 'step')}`));
        }
        return item;
      }),
    );
  }

  const stepSelect = $('plan-step');
  const counts = new Map(data.counts);
  if (state.planQuery.step && !counts.has(state.planQuery.step)) counts.set(state.planQuery.step, 0);
  stepSelect.replaceChildren(new Option(`all (${number.format(data.all)})`, ''), ...[...counts].map(([code, n]) => new Option(`${stepLabel(code)} (${number.format(n)})`, code)));
  stepSelect.value = state.planQuery.step;
  const sourceSelect = $('plan-source');
  fillSourceSelect(sourceSelect, data.many ? data.perReport.filter((r) => !r.error).map((r) => r.source) : []);
  sourceSelect.value = state.planQuery.source;
  $('plan-source-label').hidden = !data.many;

  $('plan-steps').replaceChildren(...data.rows.map(renderStep));
  const filtered = Boolean(state.planQuery.step || state.planQuery.source || state.planQuery.user.trim());
  const last = data.first === 0 ? 0 : data.first + data.rows.length - 1;
  $('plan-shown').textContent =
    error || data.all === 0
      ? ''
      : data.total === 0
        ? 'No step matches the filters.'
        : `Steps ${number.format(data.first)}–${number.format(last)} of ${number.format(data.total)}${filtered ? ' matching the filters' : ''}.`;
  $('plan-info').textContent = `Page ${number.format(data.page + 1)} of ${number.format(data.pages)}`;
  $('plan-first').disabled = $('plan-prev').disabled = data.page === 0;
  $('plan-next').disabled = $('plan-last').disabled = data.page >= data.pages - 1;
}

function setPlanFilter(change) {
  state.planQuery = { ...state.planQuery, ...change };
  state.planPage = 0;
  requestPlan();
}

// --- the tabs ----------------------------------------------------------------------

const TABS = ['findings', 'plan'];

function showTab(name) {
  const changed = state.tab !== name;
  state.tab = name;
  for (const tab of TABS) {
    const selected = tab === name;
    const button = $(`tab-${tab}`);
    button.setAttribute('aria-selected', String(selected));
    button.tabIndex = selected ? 0 : -1;
    $(`panel-${tab}`).hidden = !selected;
  }
  if (changed && name === 'plan' && !$('plan-steps').childElementCount && $('plan-error').hidden) requestPlan();
}

// --- export ------------------------------------------------------------------------

function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// --- the extra files -----------------------------------------------------------------

async function loadExemptions(file) {
  const text = await file.text();
  state.exemptions = { name: file.name, text };
  $('exemptions-name').textContent = `Loaded: ${file.name}.`;
  $('exemptions-clear').hidden = false;
  if (state.loaded) recheck(0);
  else setStatus(`Exemptions ${file.name} loaded: they apply to the reports you check.`);
}

function clearExemptions() {
  state.exemptions = null;
  $('exemptions-name').textContent = 'None loaded.';
  $('exemptions-clear').hidden = true;
  $('exemptions-file').value = '';
  $('exemptions-file').focus();
  recheck(0);
}

async function loadAccessKeys(file) {
  const text = await file.text();
  state.accessKeys = { name: file.name, text };
  $('access-keys-name').textContent = `Loaded: ${file.name} (key ids fill in the plan).`;
  $('access-keys-clear').hidden = false;
  afterAccessKeys();
}

function clearAccessKeys() {
  state.accessKeys = null;
  $('access-keys-name').textContent = 'None loaded: commands name keys as "$ACCESS_KEY_ID".';
  $('access-keys-clear').hidden = true;
  $('access-keys-file').value = '';
  $('access-keys-file').focus();
  afterAccessKeys();
}

function afterAccessKeys() {
  state.planVersion++;
  clearPlan();
  if (state.hasResult && state.tab === 'plan') requestPlan();
}

// --- wiring ------------------------------------------------------------------------

function setUp() {
  $('as-of').value = utcInputValue(new Date());

  $('file').addEventListener('change', () => {
    loadFileList($('file').files);
    $('file').value = ''; // choosing the same files again re-reads them
  });

  const zone = $('drop-zone');
  for (const type of ['dragenter', 'dragover']) {
    zone.addEventListener(type, (event) => {
      event.preventDefault();
      zone.classList.add('dragging');
    });
  }
  for (const type of ['dragleave', 'drop']) {
    zone.addEventListener(type, () => zone.classList.remove('dragging'));
  }
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    loadFileList(event.dataTransfer?.files);
  });
  // A file dropped beside the zone must not replace the page.
  for (const type of ['dragover', 'drop']) window.addEventListener(type, (event) => event.preventDefault());

  $('paste-check').addEventListener('click', () => {
    const text = $('paste').value;
    load([{ name: 'pasted text', blob: new Blob([text]) }]);
  });

  // The inputs are emptied after reading, so choosing a corrected file of the
  // same name reads it again; the line below each says what is loaded.
  $('exemptions-file').addEventListener('change', () => {
    const file = $('exemptions-file').files[0];
    if (file) loadExemptions(file);
    $('exemptions-file').value = '';
  });
  $('exemptions-clear').addEventListener('click', clearExemptions);
  $('access-keys-file').addEventListener('change', () => {
    const file = $('access-keys-file').files[0];
    if (file) loadAccessKeys(file);
    $('access-keys-file').value = '';
  });
  $('access-keys-clear').addEventListener('click', clearAccessKeys);
  $('show-exempted').addEventListener('click', () => {
    showTab('findings');
    setFilter({ exempted: 'yes', status: '' });
    $('filter-exempted').focus();
  });

  $('options').addEventListener('submit', (event) => event.preventDefault());
  $('options').addEventListener('change', (event) => {
    if (event.target.id === 'as-of') $('as-of-fixed').checked = true;
    recheck();
  });

  // The tabs: arrows, Home and End move between them (WAI-ARIA tabs pattern).
  for (const [i, tab] of TABS.entries()) {
    const button = $(`tab-${tab}`);
    button.addEventListener('click', () => showTab(tab));
    button.addEventListener('keydown', (event) => {
      const moves = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: TABS.length - 1 };
      if (!(event.key in moves)) return;
      event.preventDefault();
      const next = TABS[(moves[event.key] + TABS.length) % TABS.length];
      showTab(next);
      $(`tab-${next}`).focus();
    });
  }

  for (const th of document.querySelectorAll('#findings-table th[data-sort]')) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'sort';
    button.append(...th.childNodes);
    th.append(button);
    button.addEventListener('click', () => {
      const key = th.dataset.sort;
      const dir = state.query.sort === key && state.query.dir === 'asc' ? 'desc' : 'asc';
      state.query = { ...state.query, sort: key, dir };
      state.page = 0;
      requestPage();
    });
  }

  $('filter-status').addEventListener('change', () => setStatusFilter($('filter-status').value));
  $('filter-account').addEventListener('change', () => setFilter({ account: $('filter-account').value }));
  $('filter-source').addEventListener('change', () => setFilter({ source: $('filter-source').value }));
  $('filter-rule').addEventListener('change', () => setFilter({ rule: $('filter-rule').value }));
  $('filter-exempted').addEventListener('change', () => setFilter({ exempted: $('filter-exempted').value }));
  let typing = 0;
  $('filter-user').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => setFilter({ user: $('filter-user').value }), 200);
  });
  $('page-size').addEventListener('change', () => {
    state.size = Number($('page-size').value);
    state.page = 0;
    requestPage();
  });

  const go = (page) => () => {
    state.page = Math.min(Math.max(0, page()), state.pages - 1);
    requestPage();
  };
  $('page-first').addEventListener('click', go(() => 0));
  $('page-prev').addEventListener('click', go(() => state.page - 1));
  $('page-next').addEventListener('click', go(() => state.page + 1));
  $('page-last').addEventListener('click', go(() => state.pages - 1));

  $('plan-step').addEventListener('change', () => setPlanFilter({ step: $('plan-step').value }));
  $('plan-source').addEventListener('change', () => setPlanFilter({ source: $('plan-source').value }));
  let planTyping = 0;
  $('plan-user').addEventListener('input', () => {
    clearTimeout(planTyping);
    planTyping = setTimeout(() => setPlanFilter({ user: $('plan-user').value }), 200);
  });
  const planGo = (page) => () => {
    state.planPage = Math.min(Math.max(0, page()), state.planPages - 1);
    requestPlan();
    $('plan-status').scrollIntoView({ block: 'nearest' });
  };
  $('plan-first').addEventListener('click', planGo(() => 0));
  $('plan-prev').addEventListener('click', planGo(() => state.planPage - 1));
  $('plan-next').addEventListener('click', planGo(() => state.planPage + 1));
  $('plan-last').addEventListener('click', planGo(() => state.planPages - 1));

  $('export-csv').addEventListener('click', () => send({ type: 'export', format: 'csv', query: state.query }));
  $('export-json').addEventListener('click', () => send({ type: 'export', format: 'json', query: state.query }));
  for (const format of ['sarif', 'junit', 'ocsf']) {
    $(`export-${format}`).addEventListener('click', () => send({ type: 'export', format, query: state.query }));
  }
}

setUp();
