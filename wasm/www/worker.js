// The page's worker: runs the keyrot engine (WebAssembly) and keeps the
// findings, so reports of any size never block the page. The engine's
// `Checker` judges the files once and holds the findings as its compact
// batches; the worker asks it for one page of the table at a time, for the
// chart's counts, and for the exports (the command's bytes). The files are
// read in pieces straight from disk (FileReaderSync over slices), never whole
// into memory. The rotation plan is made from the findings held: each step
// is written out only when its page is shown.
//
// Messages in:  {type: 'load', id, files: [{name, blob: Blob}], options}
//               {type: 'options', id, options}      re-check the same files
//               {type: 'query', id, query, page, size}
//               {type: 'export', id, format: 'csv' | 'json' | 'sarif' | 'junit' | 'ocsf', query}
//               {type: 'plan', id, make, accessKeys, query, page, size}
//                   a page of the rotation plan; `make`: make it again (new
//                   findings or key list); `accessKeys`: the text of the
//                   `aws iam list-access-keys` JSON, or null; `query`: {step,
//                   source, user, needed: 'yes' | 'no' | ''}
//               {type: 'exportPlan', id, format: 'json' | 'markdown' | 'sh' | 'csv', accessKeys}
//                   the whole plan, as `keyrot plan --format` writes it
//               {type: 'report', id, accessKeys}
//                   the HTML report, as `keyrot check --format html` writes it
//               {type: 'history', id, options}
//                   the history of the files (`history`), for the trend of
//                   several reports of one account
// Messages out: {type: 'result' | 'error' | 'page' | 'export' | 'plan' | 'history', id, ...}
//
// A check that fails keeps the checker of the last good one: the page shows
// that result, dimmed, under the error.
//
// `options` are those of `analyze` (`exemptions` is the TOML text of an
// exemptions file; `rules` and `cisVersion` choose the checks). `query` is the
// page's: {sort, dir, status, account, user, source, exempted: 'yes' | 'no' |
// '', rule}. A result of a run with labelled findings (`summary.rules`)
// carries `cis`: each judged rule's CIS number, as its findings carry it.
import { initSync, Checker, history } from './pkg/keyrot.js';
import wasmBytes from './pkg/keyrot_bg.wasm.js';

// The bytes are inlined in a script module: the page's policy forbids fetch.
initSync({ module: wasmBytes });

/** The most anomalies sent to the page (a lenient run can have one per row). */
const MAX_ANOMALIES = 500;
/** How many bytes of a file are read at once (see `reader`). */
const READ_BLOCK = 4 << 20;
/** How many bytes of an export are gathered before they join its Blob. */
const EXPORT_BLOCK = 16 << 20;
const EXEMPTION_CODES = new Set(['exemption_expired', 'exemption_invalid', 'exemption_unused']);
const EXPORT_TYPES = {
  csv: 'text/csv;charset=utf-8',
  json: 'application/json',
  sarif: 'application/sarif+json',
  junit: 'application/xml',
  ocsf: 'application/x-ndjson',
};
const EXPORT_EXTENSIONS = { csv: 'csv', json: 'json', sarif: 'sarif', junit: 'xml', ocsf: 'ocsf.jsonl' };
const PLAN_TYPES = {
  json: 'application/json',
  markdown: 'text/markdown;charset=utf-8',
  sh: 'text/x-shellscript;charset=utf-8',
  csv: 'text/csv;charset=utf-8',
};
const PLAN_EXTENSIONS = { json: 'json', markdown: 'md', sh: 'sh', csv: 'csv' };

/** The files being checked: [{name, blob}]. */
let files = [];
/** The files of the checker's result (the last check that worked). */
let checkedFiles = [];
let options = {};
/** The engine's checker of the last good result; null after an error. */
let checker = null;
let many = false;
/** The query the checker's selection was made by (JSON), to skip repeats. */
let selected = null;
/** How many rows that selection holds. */
let selectedTotal = 0;
/** The plan made from the checker: {made, error, selected, total}; null until asked for. */
let planned = null;
/** What was judged, per file: [{source, as_of, error}]. */
let judged = [];

function errorFields(err) {
  return {
    message: String(err?.message ?? err),
    code: err?.code ?? null,
    line: err?.line ?? null,
    column: err?.column ?? null,
    value: err?.value ?? null,
  };
}

function label(list = files) {
  return list.length === 1 ? list[0].name : `${list.length} files`;
}

/**
 * A read function over a Blob: fills the array it is given with the next
 * bytes. The Blob is read in blocks of `READ_BLOCK` bytes, each handed out in
 * the pieces the engine asks for: a read of the engine's piece size (64 to
 * 256 KiB) each took 2.0 s of the 3.9 s a 1,000,000-row report took;
 * 8 MiB blocks take 0.4 s.
 */
function reader(blob) {
  const sync = new FileReaderSync();
  let at = 0;
  let block = new Uint8Array(0);
  let offset = 0;
  return (buf) => {
    if (offset === block.length) {
      if (at >= blob.size) return 0;
      block = new Uint8Array(sync.readAsArrayBuffer(blob.slice(at, at + READ_BLOCK)));
      at += block.length;
      offset = 0;
    }
    const n = Math.min(buf.length, block.length - offset);
    buf.set(block.subarray(offset, offset + n));
    offset += n;
    return n;
  };
}

/** The page's query as the engine's: triage order unless it says otherwise; an age range is a bar of the chart. */
function engineQuery({
  sort = 'triage',
  dir = 'asc',
  status = '',
  severity = '',
  account = '',
  user = '',
  source = '',
  exempted = '',
  rule = '',
  ageFrom = null,
  ageTo = null,
} = {}) {
  return {
    rule: rule || null,
    sort,
    descending: dir === 'desc',
    status: status || null,
    severity: severity || null,
    account: account || null,
    user: user.trim() || null,
    source: source || null,
    exempted: exempted === '' ? null : exempted === 'yes',
    age_from: ageFrom,
    age_to: ageTo,
  };
}

/** Makes the checker's selection the query's (once per query); returns how many rows it holds. */
function select(query) {
  const wanted = JSON.stringify(engineQuery(query));
  if (wanted !== selected) {
    selectedTotal = checker.select(JSON.parse(wanted));
    selected = wanted;
  }
  return selectedTotal;
}

function check(id) {
  const started = performance.now();
  let made;
  try {
    made = new Checker(files.map((f) => ({ name: f.name, input: reader(f.blob) })), options);
  } catch (err) {
    // The last good result stays, to be shown dimmed under the error.
    postMessage({ type: 'error', id, name: label(), kept: checker ? label(checkedFiles) : null, error: errorFields(err) });
    return;
  }
  checker?.free();
  checker = made;
  checkedFiles = files;
  selected = null;
  planned = null;
  many = files.length > 1;
  const meta = checker.meta();
  judged = many
    ? meta.reports.map((r) => ({ source: r.source, as_of: r.as_of, error: r.error }))
    : [{ source: files[0].name, as_of: meta.as_of, error: null }];
  const { anomalies } = meta;
  delete meta.anomalies;
  const cis = meta.summary.rules ? cisNumbers(meta.summary.rules) : null;
  const general = anomalies.filter((a) => !EXEMPTION_CODES.has(a.code));
  const exemption = anomalies.filter((a) => EXEMPTION_CODES.has(a.code));
  // The engine counts every anomaly but keeps the first 100 of each code of
  // each report: the counts shown are of all of them.
  const omitted = { general: 0, exemption: 0 };
  const omittedMaps = many ? meta.reports.map((r) => r.anomalies_omitted) : [meta.anomalies_omitted];
  for (const map of omittedMaps) {
    for (const [code, n] of Object.entries(map ?? {})) {
      omitted[EXEMPTION_CODES.has(code) ? 'exemption' : 'general'] += n;
    }
  }
  postMessage({
    type: 'result',
    id,
    name: label(),
    many,
    files: files.map((f) => f.name),
    bytes: files.reduce((n, f) => n + f.blob.size, 0),
    millis: performance.now() - started,
    meta,
    exemptions: options.exemptions != null,
    anomalies: general.slice(0, MAX_ANOMALIES),
    anomalyCount: general.length + omitted.general,
    exemptionAnomalies: exemption.slice(0, MAX_ANOMALIES),
    exemptionAnomalyCount: exemption.length + omitted.exemption,
    histogram: checker.histogram(),
    cis,
  });
}

/**
 * Each rule's CIS number in the run's version, read from its first finding
 * (the engine's table of numbers labels every finding alike): {rule: "2.11"
 * or null}; a rule without findings is left out.
 */
function cisNumbers(rules) {
  const numbers = {};
  for (const [rule, counts] of Object.entries(rules)) {
    if (!counts.findings || !checker.select({ rule })) continue;
    numbers[rule] = checker.rows(0, 1)[0]?.cis ?? null;
  }
  selected = null; // the next query selects again
  return numbers;
}

/**
 * Page `pageNumber` (0-based, clamped to the last) of `total` rows, `size`
 * to a page: its rows, read by `rows(start, count)`, without `source` for
 * one file, and the numbers the page shows.
 */
function paged(total, pageNumber, size, rows) {
  const pages = Math.max(1, Math.ceil(total / size));
  const page = Math.min(Math.max(0, pageNumber), pages - 1);
  const shown = rows(page * size, size);
  if (!many) for (const row of shown) delete row.source;
  return { rows: shown, total, page, pages, size, first: total === 0 ? 0 : page * size + 1 };
}

function page(id, query, pageNumber, size) {
  if (!checker) return;
  const total = select(query);
  postMessage({ type: 'page', id, query, ...paged(total, pageNumber, size, (start, count) => checker.rows(start, count)) });
}

/** The page's plan query as the engine's. */
function planQuery({ step = '', source = '', user = '', needed = '' } = {}) {
  return { step: step || null, source: source || null, user: user.trim() || null, needed: needed === '' ? null : needed === 'yes' };
}

/** Makes the plan of the checker's findings with this key list, unless it is made. */
function makePlan(make, accessKeys) {
  if (!make && planned) return;
  try {
    planned = { made: checker.makePlan(accessKeys), error: null, selected: null, total: 0 };
  } catch (err) {
    // The findings read these files: what fails here is the access-key list.
    planned = { made: { all: 0, needed: 0, counts: [], per_report: judged.map(() => 0) }, error: errorFields(err), selected: null, total: 0 };
  }
}

function planPage(id, make, accessKeys, query, pageNumber, size) {
  if (!checker) return;
  const started = performance.now();
  makePlan(make, accessKeys);
  if (!planned.error) {
    const wanted = JSON.stringify(planQuery(query));
    if (wanted !== planned.selected) {
      planned.total = checker.selectPlan(JSON.parse(wanted));
      planned.selected = wanted;
    }
  }
  const { made, error, total } = planned;
  const steps = paged(total, pageNumber, size, (start, count) => (error ? [] : checker.planSteps(start, count)));
  const times = new Set(judged.filter((r) => !r.error).map((r) => r.as_of));
  postMessage({
    type: 'plan',
    id,
    many,
    asOf: times.size === 1 ? [...times][0] : times.size > 1 ? 'several' : null,
    error,
    withAccessKeys: accessKeys !== null,
    perReport: judged.map((r, i) => ({ source: r.source, steps: made.per_report[i] ?? 0, as_of: r.error ? null : r.as_of, error: r.error })),
    counts: made.counts,
    all: made.all,
    needed: made.needed,
    millis: performance.now() - started,
    query,
    ...steps,
  });
}

/**
 * The checker's export as a Blob, built from its pieces as they come: every
 * 16 MiB of them become part of the Blob (whose bytes the browser holds,
 * outside the page), so a million rows' CSV never sits whole in the worker.
 */
function exported(format, type = EXPORT_TYPES[format], write = (w) => checker.export(format, w)) {
  let blob = new Blob([], { type });
  let parts = [];
  let held = 0;
  write((piece) => {
    parts.push(piece);
    held += piece.length;
    if (held >= EXPORT_BLOCK) {
      blob = new Blob([blob, ...parts], { type });
      parts = [];
      held = 0;
    }
  });
  return new Blob([blob, ...parts], { type });
}

/** The stem of the files a download is named after: the report's name, or `reports`. */
function baseName() {
  return many ? 'reports' : (checkedFiles[0].name || 'report').replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '_');
}

function exportFindings(id, format, query) {
  if (!checker) return;
  const count = select(query);
  const blob = exported(format);
  postMessage({ type: 'export', id, blob, filename: `${baseName()}-findings.${EXPORT_EXTENSIONS[format]}`, count, what: 'findings' });
}

function exportPlan(id, format, accessKeys) {
  if (!checker) return;
  makePlan(false, accessKeys);
  if (planned.error) {
    postMessage({ type: 'plan-export-error', id, error: planned.error });
    return;
  }
  const blob = exported(format, PLAN_TYPES[format], (write) => checker.exportPlan(format, write));
  postMessage({ type: 'export', id, blob, filename: `${baseName()}-plan.${PLAN_EXTENSIONS[format]}`, count: planned.made.all, what: 'steps' });
}

function exportReport(id, accessKeys) {
  if (!checker) return;
  makePlan(false, accessKeys);
  const blob = exported('html', 'text/html;charset=utf-8', (write) => checker.report(write));
  postMessage({ type: 'export', id, blob, filename: `${baseName()}-report.html`, count: checker.size, what: 'report' });
}

/**
 * The history of the checked files (the engine's `history`): each file's
 * time is its GeneratedTime, else a date in its name (`timeFromName`). Read
 * whole, as `history` takes bytes. Only what the page shows is sent: the
 * reports, the trends, the totals and the stalled rotations.
 */
function followHistory(id, historyOptions) {
  const sync = new FileReaderSync();
  try {
    const inputs = checkedFiles.map((f) => ({ name: f.name, input: new Uint8Array(sync.readAsArrayBuffer(f.blob)) }));
    const result = history(inputs, historyOptions);
    postMessage({
      type: 'history',
      id,
      reports: result.reports,
      trend: result.trend,
      totals: result.totals,
      stalled: result.rotations.filter((r) => r.stalled),
      error: null,
    });
  } catch (err) {
    postMessage({ type: 'history', id, error: errorFields(err) });
  }
}

self.onmessage = ({ data }) => {
  try {
    switch (data.type) {
      case 'load':
        files = data.files;
        options = data.options;
        check(data.id);
        break;
      case 'options':
        options = data.options;
        if (files.length) check(data.id);
        break;
      case 'query':
        page(data.id, data.query, data.page, data.size);
        break;
      case 'export':
        exportFindings(data.id, data.format, data.query);
        break;
      case 'plan':
        planPage(data.id, data.make, data.accessKeys, data.query, data.page, data.size);
        break;
      case 'exportPlan':
        exportPlan(data.id, data.format, data.accessKeys);
        break;
      case 'report':
        exportReport(data.id, data.accessKeys);
        break;
      case 'history':
        followHistory(data.id, data.options);
        break;
      default:
        throw new Error(`unknown message ${data.type}`);
    }
  } catch (err) {
    postMessage({ type: 'error', id: data.id, name: label(), error: errorFields(err) });
  }
};

postMessage({ type: 'ready' });
