// The rotation plan's worker: runs the package's `plan` on the files the
// page checked and keeps the steps, so the page asks for one page of them at
// a time. It is apart from the findings' worker (worker.js) because the plan
// of a large report takes seconds, and the findings table must keep
// answering meanwhile; and a second heap makes both faster (a plan made
// beside 266,667 live findings took several times as long).
//
// Messages in:  {type: 'make', files: [{name, blob: Blob}], many, options, accessKeys,
//                reports: [{source, as_of, error}]}
//                   what to plan: `reports` is what the analysis found, in
//                   the order of `files`; each file is planned at the time it
//                   was judged (`as_of`), and a file it could not read has no
//                   plan. The plan is made on the next query.
//               {type: 'query', id, query, page, size}
// Messages out: {type: 'plan', id, ...a page of the steps and the totals}
//
// `options` are those of `analyze` without `exemptions` (they change no
// step); `accessKeys` is the text of the `aws iam list-access-keys` JSON, or
// null.
import { initSync, plan } from './pkg/keyrot.js';
import wasmBytes from './pkg/keyrot_bg.wasm.js';
import { PlanView, stepCounts } from './lib/plan.js';

initSync({ module: wasmBytes });

let input = null;
let made = null;
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

/** Makes the plan of `input` (once per 'make'). */
function makePlan() {
  const { files, reports, many } = input;
  const options = { ...input.options };
  if (input.accessKeys !== null) options.accessKeys = input.accessKeys;
  const steps = [];
  const perReport = [];
  const times = new Set();
  let error = null;
  try {
    reports.forEach((report, i) => {
      if (report.error) {
        perReport.push({ source: report.source, steps: 0, as_of: null, error: report.error });
        return;
      }
      // The time the findings were judged at: "now" must not move between the two.
      const bytes = new Uint8Array(new FileReaderSync().readAsArrayBuffer(files[i].blob));
      const result = plan(bytes, { ...options, asOf: report.as_of });
      for (const step of result.steps) steps.push(many ? { ...step, source: report.source } : step);
      times.add(result.as_of);
      perReport.push({ source: report.source, steps: result.steps.length, as_of: result.as_of, error: null });
    });
  } catch (err) {
    // The analysis read these files with the same options: what fails here
    // is what only the plan reads, the access-key list (the same for every file).
    error = errorFields(err);
    steps.length = 0;
  }
  const asOf = times.size === 1 ? [...times][0] : times.size > 1 ? 'several' : null;
  made = { steps, perReport, asOf, error, counts: stepCounts(steps) };
  view = new PlanView(steps);
  // The bytes are no longer needed.
  input = { ...input, files: [] };
}

self.onmessage = ({ data }) => {
  switch (data.type) {
    case 'make':
      input = {
        files: data.files,
        many: data.many,
        options: data.options,
        accessKeys: data.accessKeys,
        reports: data.reports,
      };
      made = null;
      view = null;
      break;
    case 'query': {
      if (!input) return;
      const started = performance.now();
      try {
        if (!made) makePlan();
      } catch (err) {
        made = { steps: [], perReport: [], asOf: null, error: errorFields(err), counts: [] };
        view = new PlanView([]);
      }
      postMessage({
        type: 'plan',
        id: data.id,
        many: input.many,
        asOf: made.asOf,
        error: made.error,
        withAccessKeys: input.accessKeys !== null,
        perReport: made.perReport,
        counts: made.counts,
        all: made.steps.length,
        millis: performance.now() - started,
        query: data.query,
        ...view.page(data.query, data.page, data.size),
      });
      break;
    }
    default:
      break;
  }
};
