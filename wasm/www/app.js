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
import { SEVERITIES, SEVERITY_LABELS, STATUSES, STATUS_LABELS, dueText } from './lib/findings.js';
import { ROLE_LABELS, stepLabel } from './lib/plan.js';

const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const number = new Intl.NumberFormat('en');

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });

/** The table's first view: triage order (the most severe first, then the furthest overdue, then the oldest), no filter. */
const EMPTY_QUERY = {
  sort: 'triage',
  dir: 'asc',
  status: '',
  severity: '',
  account: '',
  user: '',
  source: '',
  exempted: '',
  rule: '',
  ageFrom: null,
  ageTo: null,
};
/** The columns whose first click sorts from the largest (the oldest key first). */
const DESCENDING_FIRST = new Set(['age_days']);
/** The rotation rule: the one the counts per status, the chart and the plan are of. */
const ROTATION = 'access_key_rotated';
const EMPTY_PLAN_QUERY = { step: '', source: '', user: '', needed: '' };
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
  /** Set by a load: its result folds the options and takes the focus (a re-check with new options does not). */
  focusResult: false,
  /** The latest history request: older answers are stale. */
  historyId: 0,
  /** The histogram of the shown result (the bars' ranges). */
  histogram: null,
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
  state.focusResult = true;
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
      clearFieldErrors();
      showResult(data);
      if (state.focusResult) {
        state.focusResult = false;
        answerFirst();
      }
      requestPage();
      clearPlan();
      // Made now, after the first page of the table: the verdict links to its first steps.
      requestPlan();
      requestHistory(data);
      break;
    case 'error':
      if (data.id !== state.checkId) return;
      state.loaded = true; // the bytes are kept: new options may fix it
      // The worker keeps the last good result: it stays on the page, dimmed.
      state.hasResult = data.kept !== null && data.kept !== undefined;
      showError(data.error, data.kept);
      if (state.focusResult) {
        state.focusResult = false;
        unfoldSetup(false);
        $('error').focus();
      }
      break;
    case 'history':
      if (data.id === state.historyId) showHistory(data);
      break;
    case 'plan-export-error':
      setStatus(`The plan cannot be downloaded: ${plainMessage(data.error)}`);
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
      setStatus(
        data.what === 'report'
          ? `Saved the report as ${data.filename}.`
          : `Saved ${plural(data.count, data.what === 'steps' ? 'step' : 'finding')} as ${data.filename}.`,
      );
      break;
  }
};

worker.onerror = (event) => {
  showError({ message: `the checker failed to start: ${event.message ?? 'unknown error'}`, code: null, line: null, column: null, value: null }, null);
};

// --- the error ------------------------------------------------------------------

/** The options the engine names in an error's `column`: the box that holds each, and how a sentence names it. */
const FIELDS = {
  max_age_days: { id: 'max-age', noun: 'the maximum key age' },
  warn_days: { id: 'warn', noun: 'the warning time' },
  grace_days: { id: 'grace', noun: 'the grace before deleting' },
  as_of: { id: 'as-of', noun: 'the evaluation time' },
};

function capitalized(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The engine's error as a sentence for the page: without the place (the
 * Line and Column fields show it), without a second prefix naming the option
 * in a binding's spelling, and with the options named as the form names
 * them. Backticks are left in: `messageInto` shows what they quote as code.
 */
function plainMessage(error) {
  let text = String(error.message ?? '');
  const place =
    error.line !== null && error.line !== undefined
      ? error.column !== null && error.column !== undefined
        ? `line ${error.line}, column \`${error.column}\`: `
        : `line ${error.line}: `
      : error.column !== null && error.column !== undefined
        ? `\`${error.column}\`: `
        : '';
  if (place && text.startsWith(place)) text = text.slice(place.length);
  const field = FIELDS[error.column];
  if (!field) return text;
  // `maxAgeDays`: … (serde's place, in the JS spelling) repeats the option.
  text = text.replace(/^`[A-Za-z_]+`: /, '');
  const camel = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
  for (const [name, f] of Object.entries(FIELDS)) {
    for (const spelling of [`\`${name}\``, `\`${camel(name)}\``, name]) text = text.replaceAll(spelling, f.noun);
  }
  return text.startsWith(field.noun) ? capitalized(text) : `${capitalized(field.noun)}: ${text}`;
}

/** Puts `text` into `el`, what it quotes between backticks as code (text only, never HTML). */
function messageInto(el, text) {
  const parts = text.split('`');
  // An odd backtick out quotes nothing: it stays as text.
  if (parts.length % 2 === 0) {
    el.textContent = text;
    return;
  }
  el.replaceChildren(...parts.map((part, i) => (i % 2 ? element('code', '', part) : document.createTextNode(part))));
}

function clearFieldErrors() {
  for (const { id } of Object.values(FIELDS)) {
    const input = $(id);
    input.removeAttribute('aria-invalid');
    input.removeAttribute('aria-describedby');
    $(`${id}-error`).hidden = true;
    $(`${id}-error`).textContent = '';
  }
}

/** Marks the box of the option the error names as invalid, with the error beside it. */
function markField(error) {
  clearFieldErrors();
  const field = FIELDS[error.column];
  if (!field) return null;
  const input = $(field.id);
  const note = $(`${field.id}-error`);
  messageInto(note, plainMessage(error));
  note.hidden = false;
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', note.id);
  if (field.id === 'as-of') $('as-of-fixed').checked = true;
  return field;
}

/**
 * Shows `error`. `kept` names the files of the last good result, which the
 * worker still holds: it stays on the page, dimmed, until a check works.
 */
function showError(error, kept) {
  const result = $('result');
  result.removeAttribute('aria-busy');
  result.hidden = !kept;
  result.classList.toggle('stale', Boolean(kept));
  const box = $('error');
  const exemptionProblem = error.code === 'invalid_exemptions';
  const field = markField(error);
  const optionProblem = Boolean(field) || error.code === 'invalid_policy' || error.code === 'invalid_as_of';
  const name = state.name || 'This file';
  $('error-title').textContent = exemptionProblem
    ? `The exemptions file${state.exemptions ? ` ${state.exemptions.name}` : ''} cannot be used`
    : field
      ? `${capitalized(field.noun)} cannot be used`
      : optionProblem
        ? 'These options cannot be used'
        : error.code === 'missing_columns'
          ? `${name} is not a credential report`
          : error.code === 'not_text'
            ? `${name} is not a text report`
            : `${name} cannot be checked`;
  messageInto($('error-message'), plainMessage(error));
  $('error-code').textContent = error.code ?? '—';
  $('error-line').textContent = error.line ?? '—';
  $('error-column').textContent = error.column ?? '—';
  $('error-value').textContent = error.value ?? '—';
  const rowLevel = ['invalid_timestamp', 'invalid_boolean', 'field_count'].includes(error.code);
  $('error-hint').hidden = !rowLevel || $('lenient').checked;
  $('error-exemptions-hint').hidden = !exemptionProblem;
  $('error-kept').hidden = !kept;
  $('error-kept').textContent = kept
    ? `Below, dimmed: the last result that could be checked (${kept}). It stays until this is corrected.`
    : '';
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
  $('result').classList.remove('stale');
  $('result').removeAttribute('aria-busy');
  $('start-here').hidden = true;
  $('trend-box').hidden = true;
  $('skip-link').textContent = 'Skip to the result';
  $('skip-link').href = '#verdict';
  showSetupSummary(data, meta);

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
  state.histogram = data.histogram;
  // A bar's range may not exist in a new result's chart.
  if (state.query.ageFrom !== null && !data.histogram.bins.some((b) => b.start === state.query.ageFrom && b.end === state.query.ageTo)) {
    state.query = { ...state.query, ageFrom: null, ageTo: null };
  }
  drawChart(data.histogram, policy);
  showAnomalies(data.anomalies, data.anomalyCount);

  const statusSelect = $('filter-status');
  statusSelect.replaceChildren(new Option('all', ''), ...STATUSES.map((s) => new Option(STATUS_LABELS[s], s)));
  statusSelect.value = state.query.status;
  const severitySelect = $('filter-severity');
  severitySelect.replaceChildren(new Option('all', ''), ...SEVERITIES.map((s) => new Option(SEVERITY_LABELS[s], s)));
  severitySelect.value = state.query.severity;
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

/**
 * The one-line summary of what was checked and how, shown in place of the
 * folded options: "report.csv · limit 90 days · as of now · key rotation
 * only".
 */
function showSetupSummary(data, meta) {
  const options = state.resultOptions ?? {};
  const when = options.asOf
    ? `as of ${timestamp(options.asOf)} UTC`
    : data.many
      ? "as of now (or each file's GeneratedTime)"
      : meta.as_of_source === 'report'
        ? "as of the report's GeneratedTime"
        : 'as of now';
  const parts = [
    data.name,
    `limit ${plural(meta.policy.max_age_days, 'day')}`,
    when,
    options.rules ? 'every check' : 'key rotation only',
  ];
  if (options.cisVersion) parts.push(`CIS ${options.cisVersion}`);
  if (state.exemptions) parts.push(`exemptions ${state.exemptions.name}`);
  if (options.lenient) parts.push('lenient');
  $('setup-summary-text').textContent = parts.join(' · ');
}

/** Folds the options into their summary line (after a check), or opens them. */
function foldSetup(folded) {
  $('setup').hidden = folded;
  $('setup-summary').hidden = false;
  const button = $('setup-change');
  button.setAttribute('aria-expanded', String(!folded));
  button.textContent = folded ? 'Change' : 'Hide the options';
}

function unfoldSetup(focus) {
  if ($('setup-summary').hidden) return;
  foldSetup(false);
  if (focus) $('file').focus();
}

/**
 * After a check of new files: the options fold into their summary, the
 * verdict comes to the top and takes the focus, and the skip link leads to it.
 */
function answerFirst() {
  foldSetup(true);
  const verdict = $('verdict');
  // In view with what is above it when it fits (the summary line), at the top otherwise.
  const { top, bottom } = verdict.getBoundingClientRect();
  if (top < 0 || bottom > window.innerHeight) verdict.scrollIntoView({ block: 'start' });
  verdict.focus({ preventScroll: true });
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

/** The statuses of a bar, from the bottom up. */
const CHART_ORDER = ['inactive', 'pass', 'due_soon', 'fail'];

/** Whether the table shows the keys of `bin` (its bar is pressed). */
function binPressed(bin) {
  return state.query.ageFrom === bin.start && state.query.ageTo === bin.end;
}

/**
 * The age chart: one bar per bucket of the engine's histogram (a week wide
 * up to the limit, then 6 m, 1 y, 2 y, 5 y, 10 y+, as the ages present call
 * for), stacked by status, each a button that shows its keys in the table
 * (the query's `ageFrom`/`ageTo` are the bucket's `start` and `end`). The
 * limit is marked where its bucket starts.
 */
function drawChart(hist, policy) {
  const chart = $('chart');
  const tallest = Math.max(1, hist.tallest);
  chart.replaceChildren(
    ...hist.bins.map((bin) => {
      const total = CHART_ORDER.reduce((n, st) => n + bin.counts[st], 0);
      const column = element('div', `bar-column${bin.start === policy.max_age_days ? ' at-limit' : ''}`);
      const button = element('button', 'bar');
      button.type = 'button';
      button.dataset.start = String(bin.start);
      button.dataset.end = bin.end === null ? '' : String(bin.end);
      button.dataset.total = String(total);
      for (const status of CHART_ORDER) button.dataset[status] = String(bin.counts[status]);
      button.disabled = total === 0;
      button.setAttribute('aria-pressed', String(binPressed(bin)));
      const parts = CHART_ORDER.filter((st) => bin.counts[st]).reverse().map((st) => `${number.format(bin.counts[st])} ${STATUS_LABELS[st].toLowerCase()}`);
      button.setAttribute('aria-label', `${bin.label}: ${plural(total, 'key')}${parts.length ? ` (${parts.join(', ')})` : ''}`);
      button.title = `${bin.label}: ${plural(total, 'key')}${parts.length ? ` (${parts.join(', ')})` : ''}. Select to show them in the table.`;
      const stack = element('span', 'bar-stack');
      stack.style.height = `${(total / tallest) * 100}%`;
      for (const status of CHART_ORDER) {
        const n = bin.counts[status];
        if (!n) continue;
        const segment = element('span', `bar-segment status-${status}`);
        segment.style.flexGrow = String(n);
        stack.append(segment);
      }
      const count = element('span', 'bar-count', total ? number.format(total) : '');
      button.append(count, stack);
      button.addEventListener('click', () => {
        showTab('findings');
        setFilter(binPressed(bin) ? { ageFrom: null, ageTo: null } : { ageFrom: bin.start, ageTo: bin.end });
      });
      const label = element('span', 'bar-label', bin.label);
      label.setAttribute('aria-hidden', 'true');
      column.append(button, label);
      if (bin.start === policy.max_age_days) {
        const limit = element('span', 'limit-mark', `limit ${policy.max_age_days} d`);
        limit.setAttribute('aria-hidden', 'true');
        column.append(limit);
      }
      return column;
    }),
  );
  const over = hist.bins.reduce((n, b) => n + b.counts.fail, 0);
  $('chart-caption').textContent =
    `Ages of ${plural(hist.shown, 'key')}, by status; the dashed red line is the ${policy.max_age_days}-day limit` +
    (over ? `, ${number.format(over)} failing.` : '.') +
    ' Select a bar to show its keys in the table.' +
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

/** A cell of a date and time that may wrap between its words, never inside a date. */
function whenCell(text, className) {
  const td = document.createElement('td');
  td.className = className;
  for (const [i, word] of text.split(' ').entries()) {
    if (i) td.append(' ');
    td.append(element('span', 'word', word));
  }
  return td;
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
  const severity = document.createElement('td');
  const sev = document.createElement('span');
  sev.className = `severity severity-${SEVERITIES.includes(f.severity) ? f.severity : 'info'}`;
  sev.textContent = SEVERITY_LABELS[f.severity] ?? f.severity;
  severity.append(sev);
  tr.append(status, severity);
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
  if (state.many) {
    // One line, cut with an ellipsis; the whole name on hover.
    const file = cell(f.source ?? '', 'source');
    file.title = f.source ?? '';
    tr.append(file);
  }
  // A finding about a user rather than a key has no slot (and no key to be active).
  const keyless = f.slot === null;
  tr.append(
    cell(f.account_id),
    user,
    cell(keyless ? '—' : String(f.slot), 'num'),
    cell(keyless ? '—' : f.active ? 'yes' : 'no'),
    whenCell(timestamp(f.last_rotated), 'when'),
    cell(f.age_days === null ? '—' : number.format(f.age_days), 'num'),
    cell(dueText(due, (n) => number.format(n)), due !== null && due < 0 ? 'due overdue' : 'due'),
    whenCell(lastUsedText(f), 'last-used'),
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
  $('filter-severity').value = state.query.severity;
  $('filter-rule').value = state.query.rule;
  $('filter-exempted').value = state.query.exempted;
  for (const button of document.querySelectorAll('#chart .bar')) {
    const end = button.dataset.end === '' ? null : Number(button.dataset.end);
    button.setAttribute('aria-pressed', String(binPressed({ start: Number(button.dataset.start), end })));
  }
  const bin = state.query.ageFrom === null ? null : state.histogram?.bins.find((b) => binPressed(b));
  const ageFilter = $('age-filter');
  ageFilter.hidden = !bin;
  if (bin) {
    const clear = element('button', 'clear-age', 'Show every age');
    clear.type = 'button';
    clear.addEventListener('click', () => setFilter({ ageFrom: null, ageTo: null }));
    ageFilter.replaceChildren(document.createTextNode(`Key rotation, ages ${bin.label} (the chart's bar). `), clear);
  }
  const triage = state.query.sort === 'triage';
  $('sort-note').textContent = triage ? 'In triage order: the most severe first, then the furthest overdue, then the oldest.' : '';
  $('sort-triage').hidden = triage;
}

function anyFilter() {
  const q = state.query;
  return Boolean(q.status || q.severity || q.account || q.source || q.exempted || q.rule || q.user.trim() || q.ageFrom !== null);
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
      : `${plural(data.all, 'step')}${when ? `, ${when}` : ''}: ${number.format(data.needed)} needed to pass, ` +
        `${number.format(data.all - data.needed)} clean-up; those needed to pass come first, the most severe first.` +
        (data.withAccessKeys ? ` Key ids from ${state.accessKeys?.name ?? 'the access-key list'}.` : '');
  showStartHere(error ? null : data);
  for (const button of document.querySelectorAll('#panel-plan .exports button')) button.disabled = Boolean(error) || data.all === 0;

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
  $('plan-needed').value = state.planQuery.needed;
  const sourceSelect = $('plan-source');
  fillSourceSelect(sourceSelect, data.many ? data.perReport.filter((r) => !r.error).map((r) => r.source) : []);
  sourceSelect.value = state.planQuery.source;
  $('plan-source-label').hidden = !data.many;

  $('plan-steps').replaceChildren(...data.rows.map(renderStep));
  const filtered = Boolean(state.planQuery.step || state.planQuery.source || state.planQuery.needed || state.planQuery.user.trim());
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

/**
 * The verdict's link to the plan: "Start here: N steps needed to pass" (or,
 * with nothing needed, the clean-up), hidden when there is nothing to do or
 * the plan cannot be made.
 */
function showStartHere(data) {
  const link = $('start-here');
  const hasSteps = data !== null && data.all > 0;
  link.hidden = !hasSteps;
  if (!hasSteps) return;
  link.dataset.needed = data.needed > 0 ? 'yes' : '';
  link.textContent =
    data.needed > 0
      ? `Start here: ${plural(data.needed, 'step')} needed to pass`
      : `Start here: ${plural(data.all, 'clean-up step')} (none needed to pass)`;
}

function setPlanFilter(change) {
  state.planQuery = { ...state.planQuery, ...change };
  state.planPage = 0;
  requestPlan();
}

// --- the trend of several reports of one account ---------------------------------

/** The statuses of a trend's bars, from the bottom up, as the history's counts hold them. */
const TREND_ORDER = ['inactive', 'pass', 'due_soon', 'invalid', 'fail'];

function svg(name, attributes = {}, text = null) {
  const el = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, String(value));
  if (text !== null) el.textContent = text;
  return el;
}

/**
 * Asks the worker for the history of the files when several of them are of
 * one account (fewer accounts than reports read): each report judged at its
 * own time, its GeneratedTime or a date in its name.
 */
function requestHistory(data) {
  const reports = data.many ? data.meta.reports.filter((r) => !r.error && r.summary?.users > 0) : [];
  if (reports.length < 2 || data.meta.summary.accounts.length >= reports.length) return;
  const { asOf, exemptions, ...judging } = state.resultOptions ?? {};
  state.historyId = send({ type: 'history', options: { ...judging, timeFromName: '%Y-%m-%d' } });
}

function dayBounds(b) {
  return b.at_least === b.at_most ? plural(b.at_least, 'day') : `${number.format(b.at_least)} to ${plural(b.at_most, 'day')}`;
}

/** One account's trend: a stacked bar of its keys per status at each report, and the same numbers as a table. */
function trendChart(account) {
  const figure = element('figure', 'trend-chart');
  figure.dataset.account = account.account_id;
  const points = account.points;
  const width = 720;
  const height = 200;
  const margin = { left: 44, right: 12, top: 14, bottom: 34 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const tallest = Math.max(1, ...points.map((p) => TREND_ORDER.reduce((n, st) => n + p.counts[st], 0)));
  const slot = plotW / points.length;
  const y = (n) => margin.top + plotH - (n / tallest) * plotH;
  const caption = element('figcaption', '', `Account ${account.account_id || '(none)'}: keys per status at each of its ${points.length} reports`);
  caption.id = `trend-caption-${++uid}`;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': caption.id, class: 'trend-svg' });
  chart.append(svg('line', { x1: margin.left, x2: width - margin.right, y1: y(0), y2: y(0), class: 'axis' }));
  chart.append(svg('text', { x: margin.left - 6, y: y(tallest) + 4, class: 'tick', 'text-anchor': 'end' }, number.format(tallest)));
  chart.append(svg('text', { x: margin.left - 6, y: y(0) + 4, class: 'tick', 'text-anchor': 'end' }, '0'));
  for (const [i, point] of points.entries()) {
    const bar = svg('g', { class: 'trend-point', 'data-time': point.time });
    for (const status of TREND_ORDER) bar.dataset[status] = String(point.counts[status]);
    let base = 0;
    const x = margin.left + i * slot + slot * 0.15;
    for (const status of TREND_ORDER) {
      const n = point.counts[status];
      if (!n) continue;
      bar.append(svg('rect', { x, y: y(base + n), width: slot * 0.7, height: Math.max(1, y(base) - y(base + n)), class: `bar status-${status}` }));
      base += n;
    }
    bar.append(svg('title', {}, `${timestamp(point.time)}: ${TREND_ORDER.slice().reverse().map((st) => `${number.format(point.counts[st])} ${STATUS_LABELS[st].toLowerCase()}`).join(', ')}`));
    chart.append(bar);
    chart.append(svg('text', { x: margin.left + (i + 0.5) * slot, y: height - 14, class: 'tick', 'text-anchor': 'middle' }, point.time.slice(0, 10)));
  }
  const wrap = element('div', 'table-wrap');
  const table = element('table', 'trend-table');
  const head = element('thead');
  const headRow = element('tr');
  for (const [text, num] of [['Report time (UTC)', false], ['Fail', true], ['Invalid', true], ['Due soon', true], ['Pass', true], ['Inactive', true], ['Newly overdue', true], ['Remediated', true], ['Rotations stalled', true]]) {
    const th = element('th', num ? 'num' : '', text);
    th.scope = 'col';
    headRow.append(th);
  }
  head.append(headRow);
  const body = element('tbody');
  for (const point of points) {
    const tr = element('tr');
    tr.dataset.time = point.time;
    const th = element('th', 'nowrap', timestamp(point.time));
    th.scope = 'row';
    tr.append(th);
    for (const n of [point.counts.fail, point.counts.invalid, point.counts.due_soon, point.counts.pass, point.counts.inactive, point.newly_overdue, point.remediated, point.rotations_stalled]) {
      tr.append(cell(number.format(n), 'num'));
    }
    body.append(tr);
  }
  table.append(head, body);
  wrap.append(table);
  figure.append(caption, chart, wrap);
  return figure;
}

/** The history's trend: per account with several reports, and the season's figures; or why there is none. */
function showHistory(data) {
  const box = $('trend-box');
  const summary = $('trend-summary');
  const charts = $('trend-charts');
  const stalls = $('trend-stalls');
  box.hidden = false;
  if (data.error) {
    charts.replaceChildren();
    stalls.hidden = true;
    const why = element('span');
    messageInto(why, plainMessage(data.error));
    summary.replaceChildren(
      document.createTextNode('Several reports of one account are loaded, but their trend cannot be followed: '),
      why,
      document.createTextNode(
        data.error.code === 'no_report_time'
          ? " (A trend takes each report's time from its GeneratedTime, which the AWS CLI's JSON carries, or from a date in its file name, like 2026-11-26.)"
          : '',
      ),
    );
    return;
  }
  const accounts = data.trend.accounts.filter((a) => a.points.length > 1);
  if (!accounts.length) {
    box.hidden = true;
    return;
  }
  const t = data.totals;
  const parts = [
    `${plural(t.reports, 'report')} of ${plural(t.accounts, 'account')}, each judged at its own time (${data.reports[0].time.slice(0, 10)} to ${data.reports.at(-1).time.slice(0, 10)}).`,
    `${plural(t.overdue_now, 'key')} overdue in the latest report; ${plural(t.newly_overdue, 'key')} became overdue; ${plural(t.remediated, 'overdue key')} fixed`,
  ];
  parts[1] += t.remediation ? ` (median ${dayBounds(t.remediation.median)} overdue when fixed).` : '.';
  parts.push(`${plural(t.rotations, 'rotation')}: ${number.format(t.rotations_completed)} completed, ${number.format(t.rotations_open)} underway, ${number.format(t.rotations_stalled)} stalled.`);
  summary.textContent = parts.join(' ');
  charts.replaceChildren(...accounts.map(trendChart));
  stalls.hidden = data.stalled.length === 0;
  stalls.replaceChildren(
    ...data.stalled.map((r) => {
      const item = element('li');
      const what = r.stalls.map((st) => `${st.step ? stepLabel(st.step) : st.kind.replaceAll('_', ' ')} for ${plural(st.days, 'day')}`).join('; ');
      item.append(element('strong', 'step-user', r.user), document.createTextNode(` (account ${r.account_id}): stalled, ${what}.`));
      return item;
    }),
  );
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
  // The verdict's link and the downloads follow the plan with the new key ids.
  if (state.hasResult) requestPlan();
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
      // The first click on Age shows the oldest first; the next reverses.
      const first = DESCENDING_FIRST.has(key) ? 'desc' : 'asc';
      const dir = state.query.sort === key ? (state.query.dir === 'asc' ? 'desc' : 'asc') : first;
      state.query = { ...state.query, sort: key, dir };
      state.page = 0;
      requestPage();
    });
  }

  $('filter-status').addEventListener('change', () => setStatusFilter($('filter-status').value));
  $('filter-severity').addEventListener('change', () => setFilter({ severity: $('filter-severity').value }));
  $('sort-triage').addEventListener('click', () => {
    state.query = { ...state.query, sort: 'triage', dir: 'asc' };
    state.page = 0;
    requestPage();
  });
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
  $('plan-needed').addEventListener('change', () => setPlanFilter({ needed: $('plan-needed').value }));
  for (const format of ['json', 'markdown', 'sh', 'csv']) {
    $(`plan-export-${format}`).addEventListener('click', () => send({ type: 'exportPlan', format, accessKeys: state.accessKeys?.text ?? null }));
  }
  $('download-report').addEventListener('click', () => send({ type: 'report', accessKeys: state.accessKeys?.text ?? null }));
  $('start-here').addEventListener('click', (event) => {
    event.preventDefault();
    showTab('plan');
    setPlanFilter({ needed: $('start-here').dataset.needed });
    $('panel-plan').focus();
  });
  $('setup-change').addEventListener('click', () => {
    const open = $('setup').hidden;
    foldSetup(!open);
    if (open) $('file').focus();
  });
  $('skip-link').addEventListener('click', (event) => {
    event.preventDefault();
    if (!$('result').hidden) {
      $('verdict').scrollIntoView({ block: 'start' });
      $('verdict').focus({ preventScroll: true });
    } else {
      unfoldSetup(false);
      $('file').focus();
    }
  });
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
