// The page's worker: runs the keyrot engine (WebAssembly) and keeps the
// findings, so reports of any size never block the page. The page asks for
// one page of the table at a time. (The rotation plan has its own worker,
// plan-worker.js: a plan of a large report takes a while, and the table must
// keep answering meanwhile.)
//
// Messages in:  {type: 'load', id, files: [{name, bytes: ArrayBuffer}], options}
//                   one file is judged by `analyze`, several by `analyzeMany`
//               {type: 'options', id, options}      re-check the same files
//               {type: 'query', id, query, page, size}
//               {type: 'export', id, format: 'csv' | 'json', query}
// Messages out: {type: 'result' | 'error' | 'page' | 'export', id, ...}
//
// `options` are those of `analyze` (`exemptions` is the TOML text of an
// exemptions file).
import { initSync, analyze, analyzeMany } from './pkg/keyrot.js';
import wasmBytes from './pkg/keyrot_bg.wasm.js';
import { FindingsView, histogram, toCsv, EXPORT_COLUMNS, MANY_EXPORT_COLUMNS } from './lib/findings.js';

// The bytes are inlined in a script module: the page's policy forbids fetch.
initSync({ module: wasmBytes });

/** The most anomalies sent to the page (a lenient run can have one per row). */
const MAX_ANOMALIES = 500;
const EXEMPTION_CODES = new Set(['exemption_expired', 'exemption_invalid', 'exemption_unused']);

/** The files being checked: [{name, bytes: Uint8Array}]. */
let files = [];
let options = {};
/** The last good result: {many}; null after an error. */
let checked = null;
let view = null;

function errorFields(err) {
  return {
    message: String(err?.message ?? err),
    code: err?.code ?? null,
    line: err?.line ?? null,
    column: err?.column ?? null,
    value: err?.value ?? null,
  };
}

function label() {
  return files.length === 1 ? files[0].name : `${files.length} files`;
}

function check(id) {
  const started = performance.now();
  checked = null;
  view = null;
  let result;
  const many = files.length > 1;
  try {
    result = many
      ? analyzeMany(files.map((f) => ({ name: f.name, input: f.bytes })), options)
      : analyze(files[0].bytes, options);
  } catch (err) {
    postMessage({ type: 'error', id, name: label(), error: errorFields(err) });
    return;
  }
  const { findings, anomalies, ...meta } = result;
  checked = { many };
  view = new FindingsView(findings);
  const general = anomalies.filter((a) => !EXEMPTION_CODES.has(a.code));
  const exemption = anomalies.filter((a) => EXEMPTION_CODES.has(a.code));
  postMessage({
    type: 'result',
    id,
    name: label(),
    many,
    files: files.map((f) => f.name),
    bytes: files.reduce((n, f) => n + f.bytes.length, 0),
    millis: performance.now() - started,
    meta,
    exemptions: options.exemptions != null,
    anomalies: general.slice(0, MAX_ANOMALIES),
    anomalyCount: general.length,
    exemptionAnomalies: exemption.slice(0, MAX_ANOMALIES),
    exemptionAnomalyCount: exemption.length,
    histogram: histogram(findings, meta.policy.max_age_days),
  });
}

function page(id, query, pageNumber, size) {
  if (!view) return;
  postMessage({ type: 'page', id, query, ...view.page(query, pageNumber, size) });
}

function exportFindings(id, format, query) {
  if (!view) return;
  const rows = view.apply(query);
  const blob =
    format === 'csv'
      ? new Blob([toCsv(rows, checked.many ? MANY_EXPORT_COLUMNS : EXPORT_COLUMNS)], { type: 'text/csv;charset=utf-8' })
      : new Blob([JSON.stringify(rows, null, 2), '\n'], { type: 'application/json' });
  const base = checked.many ? 'reports' : (files[0].name || 'report').replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '_');
  postMessage({ type: 'export', id, blob, filename: `${base}-findings.${format}`, count: rows.length });
}

self.onmessage = ({ data }) => {
  try {
    switch (data.type) {
      case 'load':
        files = data.files.map((f) => ({ name: f.name, bytes: new Uint8Array(f.bytes) }));
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
      default:
        throw new Error(`unknown message ${data.type}`);
    }
  } catch (err) {
    postMessage({ type: 'error', id: data.id, name: label(), error: errorFields(err) });
  }
};

postMessage({ type: 'ready' });
