// The page's worker: runs the keyrot engine (WebAssembly) and keeps the
// findings, so a report of any size never blocks the page. The page asks for
// one page of the table at a time.
//
// Messages in:  {type: 'load', id, bytes: ArrayBuffer, name, options}
//               {type: 'options', id, options}      re-check the same bytes
//               {type: 'query', id, query, page, size}
//               {type: 'export', id, format: 'csv' | 'json', query}
// Messages out: {type: 'result' | 'error' | 'page' | 'export', id, ...}
import { initSync, analyze } from './pkg/keyrot.js';
import wasmBytes from './pkg/keyrot_bg.wasm.js';
import { FindingsView, histogram, toCsv } from './lib/findings.js';

// The bytes are inlined in a script module: the page's policy forbids fetch.
initSync({ module: wasmBytes });

/** The most anomalies sent to the page (a lenient run can have one per row). */
const MAX_ANOMALIES = 500;

let input = null;
let name = '';
let analysis = null;
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

function check(id, options) {
  const started = performance.now();
  try {
    analysis = analyze(input, options);
  } catch (err) {
    analysis = null;
    view = null;
    postMessage({ type: 'error', id, name, error: errorFields(err) });
    return;
  }
  view = new FindingsView(analysis.findings);
  const { findings, anomalies, ...meta } = analysis;
  postMessage({
    type: 'result',
    id,
    name,
    bytes: input.length,
    millis: performance.now() - started,
    meta,
    anomalies: anomalies.slice(0, MAX_ANOMALIES),
    anomalyCount: anomalies.length,
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
      ? new Blob([toCsv(rows)], { type: 'text/csv;charset=utf-8' })
      : new Blob([JSON.stringify(rows, null, 2), '\n'], { type: 'application/json' });
  const base = (name || 'report').replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '_');
  postMessage({ type: 'export', id, blob, filename: `${base}-findings.${format}`, count: rows.length });
}

self.onmessage = ({ data }) => {
  try {
    switch (data.type) {
      case 'load':
        input = new Uint8Array(data.bytes);
        name = data.name;
        check(data.id, data.options);
        break;
      case 'options':
        if (input) check(data.id, data.options);
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
    postMessage({ type: 'error', id: data.id, name, error: errorFields(err) });
  }
};

postMessage({ type: 'ready' });
