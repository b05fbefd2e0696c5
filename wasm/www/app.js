// The page: reads a file (or pasted text), sends its bytes to the worker that
// runs the engine, and shows the verdict, the counts, the age chart, the
// anomalies and one page of the findings at a time.
//
// Text from the report only ever reaches the page through textContent, an
// attribute value or an <option> built with new Option(): never as HTML.
import { STATUSES, STATUS_LABELS } from './lib/findings.js';

const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const number = new Intl.NumberFormat('en');

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });

const state = {
  nextId: 1,
  checkId: 0, // the latest load or options message: older results are stale
  queryId: 0,
  loaded: false,
  name: '',
  query: { sort: 'line', dir: 'asc', status: '', account: '', user: '' },
  page: 0,
  size: 100,
  pages: 1,
  total: 0,
};

// --- options ------------------------------------------------------------------

function utcInputValue(date) {
  return date.toISOString().slice(0, 19);
}

/** The options object of `analyze`, from the form. */
function currentOptions() {
  const options = {
    granularity: $('granularity').value,
    format: $('format').value,
    includeInactive: $('include-inactive').checked,
    lenient: $('lenient').checked,
  };
  const maxAge = $('max-age').value.trim();
  const warn = $('warn').value.trim();
  // Out-of-range or fractional numbers go to the engine, which names them.
  if (maxAge !== '') options.maxAgeDays = Number(maxAge);
  if (warn !== '') options.warnDays = Number(warn);
  if ($('as-of-fixed').checked && $('as-of').value) {
    options.asOf = new Date(`${$('as-of').value}Z`);
  }
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

async function load(name, bytesPromise) {
  setStatus(`Reading ${name}…`);
  const bytes = await bytesPromise;
  state.name = name;
  state.query = { sort: 'line', dir: 'asc', status: '', account: '', user: '' };
  state.page = 0;
  $('filter-user').value = '';
  setStatus(`Checking ${name} (${megabytes(bytes.byteLength)})…`);
  $('result').setAttribute('aria-busy', 'true');
  state.checkId = send({ type: 'load', bytes, name, options: currentOptions() }, [bytes]);
}

let recheckTimer = 0;

/** Checks the same bytes with the new options (after typing settles). */
function recheck() {
  if (!state.loaded) return;
  clearTimeout(recheckTimer);
  recheckTimer = setTimeout(() => {
    setStatus(`Checking ${state.name} again…`);
    state.checkId = send({ type: 'options', options: currentOptions() });
  }, 250);
}

function requestPage() {
  state.queryId = send({ type: 'query', query: state.query, page: state.page, size: state.size });
}

worker.onmessage = ({ data }) => {
  switch (data.type) {
    case 'ready':
      break;
    case 'result':
      if (data.id !== state.checkId) return;
      state.loaded = true;
      showResult(data);
      requestPage();
      break;
    case 'error':
      if (data.id !== state.checkId) return;
      state.loaded = true; // the bytes are kept: new options may fix it
      showError(data.error);
      break;
    case 'page':
      if (data.id !== state.queryId) return;
      showPage(data);
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
  $('error-title').textContent = optionProblem ? 'These options cannot be used' : `${state.name || 'This file'} cannot be checked`;
  $('error-message').textContent = error.message;
  $('error-code').textContent = error.code ?? '—';
  $('error-line').textContent = error.line ?? '—';
  $('error-column').textContent = error.column ?? '—';
  $('error-value').textContent = error.value ?? '—';
  const rowLevel = ['invalid_timestamp', 'invalid_boolean', 'field_count'].includes(error.code);
  $('error-hint').hidden = !rowLevel || $('lenient').checked;
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

function plural(n, word, words = `${word}s`) {
  return `${number.format(n)} ${n === 1 ? word : words}`;
}

function showResult(data) {
  const { meta } = data;
  const { summary, policy } = meta;
  $('error').hidden = true;
  $('result').hidden = false;
  $('result').removeAttribute('aria-busy');

  const verdict = $('verdict');
  verdict.className = `verdict ${summary.compliant ? 'ok' : 'bad'}`;
  $('verdict-title').textContent = summary.compliant ? 'Compliant' : 'Not compliant';
  const parts = [];
  if (summary.keys === 0) parts.push('No access keys in this report.');
  if (summary.fail) parts.push(`${plural(summary.fail, 'key')} over the ${policy.max_age_days}-day limit.`);
  if (summary.invalid) parts.push(`${plural(summary.invalid, 'key')} cannot be judged (counted as failing).`);
  if (summary.due_soon) parts.push(`${plural(summary.due_soon, 'key')} due within ${policy.warn_days} days.`);
  if (summary.compliant && summary.active_keys) {
    parts.push(`Every active key is within the ${policy.max_age_days}-day limit.`);
  }
  $('verdict-detail').textContent = parts.join(' ');

  const counts = $('counts');
  counts.replaceChildren();
  for (const status of STATUSES) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = `count status-${status}`;
    button.dataset.status = status;
    button.setAttribute('aria-pressed', String(state.query.status === status));
    const value = document.createElement('span');
    value.className = 'count-value';
    value.textContent = number.format(summary[status]);
    const label = document.createElement('span');
    label.className = 'count-label';
    label.textContent = STATUS_LABELS[status];
    button.append(value, label);
    button.addEventListener('click', () => setStatusFilter(state.query.status === status ? '' : status));
    const item = document.createElement('li');
    item.append(button);
    counts.append(item);
  }

  const oldest = summary.oldest_active_key_age_days;
  $('context').textContent =
    `Judged as of ${meta.as_of} (${SOURCE_TEXT[meta.as_of_source]}). ` +
    `${plural(summary.users, 'user')}, ${plural(summary.keys, 'key')} (${number.format(summary.active_keys)} active)` +
    ` in ${plural(summary.accounts.length, 'account')}; ` +
    (oldest === null ? 'no active key with a usable date. ' : `oldest active key ${plural(oldest, 'day')}. `) +
    `Limit ${policy.max_age_days} days (${policy.granularity === 'exact' ? 'exact' : 'whole days'}), ` +
    `warning ${policy.warn_days} days before. ` +
    `Input: ${FORMAT_TEXT[meta.input_format] ?? meta.input_format}, ${meta.layout} layout` +
    (meta.generated_time ? `, generated ${meta.generated_time}.` : '.');

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

  setStatus(
    `Checked ${data.name}: ${plural(summary.keys, 'key')} in ${plural(summary.users, 'row')}` +
      ` (${megabytes(data.bytes)}) in ${(data.millis / 1000).toFixed(1)} s.`,
  );
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
    const where = anomaly.line === null ? '' : ` line ${anomaly.line}`;
    item.append(code, document.createTextNode(`${where}: ${anomaly.message}`));
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
  const span = hist.bins.length * hist.binDays;
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
  const barW = Math.max(1, (hist.binDays / span) * plotW - 1);
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

function cell(text, className = '') {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function timestamp(text) {
  return text === null ? '—' : text.replace('T', ' ').replace(/Z$/, '');
}

function lastUsedText(f) {
  if (f.last_used === null) return '— (legacy layout)';
  const when = f.last_used === 'never' ? 'never' : f.last_used === 'no_information' ? 'no information' : timestamp(f.last_used);
  const where = [f.last_used_service, f.last_used_region].filter(Boolean).join(', ');
  return where ? `${when} (${where})` : when;
}

function row(f) {
  const tr = document.createElement('tr');
  const status = document.createElement('td');
  const badge = document.createElement('span');
  badge.className = `badge status-${STATUSES.includes(f.status) ? f.status : 'invalid'}`;
  badge.textContent = STATUS_LABELS[f.status] ?? f.status;
  status.append(badge);
  const user = cell(f.is_root ? `${f.user} (root)` : f.user, 'user');
  user.title = f.arn;
  const due = f.days_until_due;
  tr.append(
    status,
    cell(f.account_id),
    user,
    cell(String(f.slot), 'num'),
    cell(f.active ? 'yes' : 'no'),
    cell(timestamp(f.last_rotated), 'nowrap'),
    cell(f.age_days === null ? '—' : number.format(f.age_days), 'num'),
    cell(due === null ? '—' : number.format(due), due !== null && due < 0 ? 'num overdue' : 'num'),
    cell(lastUsedText(f), 'last-used'),
    cell(f.reason, 'reason'),
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
    const td = cell(data.total === 0 && !anyFilter() ? 'No access keys in this report.' : 'No finding matches the filters.', 'empty');
    td.colSpan = 11;
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
    button.setAttribute('aria-pressed', String(button.dataset.status === state.query.status));
  }
  $('filter-status').value = state.query.status;
}

function anyFilter() {
  return Boolean(state.query.status || state.query.account || state.query.user.trim());
}

function setStatusFilter(status) {
  state.query = { ...state.query, status };
  state.page = 0;
  requestPage();
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

// --- wiring ------------------------------------------------------------------------

function setUp() {
  $('as-of').value = utcInputValue(new Date());

  $('file').addEventListener('change', () => {
    const file = $('file').files[0];
    if (file) load(file.name, file.arrayBuffer());
    $('file').value = ''; // choosing the same file again re-reads it
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
    const file = event.dataTransfer?.files?.[0];
    if (file) load(file.name, file.arrayBuffer());
  });
  // A file dropped beside the zone must not replace the page.
  for (const type of ['dragover', 'drop']) window.addEventListener(type, (event) => event.preventDefault());

  $('paste-check').addEventListener('click', () => {
    const text = $('paste').value;
    load('pasted text', Promise.resolve(new TextEncoder().encode(text).buffer));
  });

  $('options').addEventListener('submit', (event) => event.preventDefault());
  $('options').addEventListener('change', (event) => {
    if (event.target.id === 'as-of') $('as-of-fixed').checked = true;
    recheck();
  });

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
  $('filter-account').addEventListener('change', () => {
    state.query = { ...state.query, account: $('filter-account').value };
    state.page = 0;
    requestPage();
  });
  let typing = 0;
  $('filter-user').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      state.query = { ...state.query, user: $('filter-user').value };
      state.page = 0;
      requestPage();
    }, 200);
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

  $('export-csv').addEventListener('click', () => send({ type: 'export', format: 'csv', query: state.query }));
  $('export-json').addEventListener('click', () => send({ type: 'export', format: 'json', query: state.query }));
}

setUp();
