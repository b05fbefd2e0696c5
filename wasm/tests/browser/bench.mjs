// The page's benchmark, in the browser tests' harness: a generated report of
// 200,000 and of 1,000,000 rows (224 MB) is chosen in the page in headless
// Chromium, and it measures
//   - the verdict: from choosing the file to "Checked ..." on the page;
//   - memory: the peak, while checking, of the proportional set size (and
//     the RSS) of the page's renderer process (the one running its worker:
//     the page, its scripts, the worker and the engine's memory), of every
//     renderer, and of every Chromium process, sampled from /proc every
//     100 ms (reading smaps_rollup takes CPU the check shares: at 20 ms the
//     1,000,000-row verdict was a third slower), and with the page idle;
//   - sorting the table by age and filtering it by status, from the click to
//     the first row shown, with the page's renderer's peak meanwhile; the
//     CSV export of every finding, from the click to the download, and the
//     rotation plan, from the click on its tab to its first page, likewise;
// against two baselines in the same run: the browser reading every byte of
// the same File (a stream, counted on the page's thread: the floor of any
// check that reads the file) and the engine outside the browser (checkCsv
// in Node over the same file, read in pieces).
//
// Usage (after scripts/build.sh): node tests/browser/bench.mjs [ROWS ...] [--runs N]
// Prints a Markdown table; benches/README.md holds the figures.
import { mkdtempSync, openSync, closeSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { LARGE_AS_OF, chromiumMemory, launch, shutdown, writeLargeReport } from './harness.mjs';
import { checkCsv } from '../../pkg/node/keyrot.js';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 3;
const sizes = args.length ? args.map(Number) : [200_000, 1_000_000];

const MB = 1024 * 1024;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const best = (xs) => Math.min(...xs);

/** Samples `chromiumMemory` every 100 ms until stopped; returns the peaks. */
function sampler() {
  const peak = { pss: 0, rss: 0, rendererPss: 0, rendererRss: 0, pagePss: 0, pageRss: 0 };
  const take = () => {
    const now = chromiumMemory();
    for (const key of Object.keys(peak)) peak[key] = Math.max(peak[key], now[key]);
  };
  take();
  const timer = setInterval(take, 100);
  return () => {
    clearInterval(timer);
    take();
    return peak;
  };
}

/** checkCsv in Node over the file, read in 1 MiB pieces: ms. */
function nodeCheck(path) {
  const fd = openSync(path, 'r');
  try {
    const started = performance.now();
    const result = checkCsv((buf) => readSync(fd, buf), { asOf: LARGE_AS_OF, only: ['invalid'], write: () => {} });
    const ms = performance.now() - started;
    return { ms, keys: result.summary.keys };
  } finally {
    closeSync(fd);
  }
}

async function openPage(browser, origin) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  await page.check('#as-of-fixed');
  await page.fill('#as-of', LARGE_AS_OF);
  await page.press('#as-of', 'Tab');
  return page;
}

/** The browser reading the File to its end (a stream, bytes counted): ms. */
async function browserRead(page, path) {
  await page.evaluate(() => {
    const input = document.createElement('input');
    input.type = 'file';
    input.id = 'bench-floor';
    input.hidden = true;
    document.body.append(input);
  });
  await page.setInputFiles('#bench-floor', path);
  return page.evaluate(async () => {
    const file = document.getElementById('bench-floor').files[0];
    const started = performance.now();
    const reader = file.stream().getReader();
    let bytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
    }
    if (bytes !== file.size) throw new Error(`read ${bytes} of ${file.size} bytes`);
    return performance.now() - started;
  });
}

/** One check of `path` on a fresh page: the verdict's ms, the memory, and the table's answers. */
async function pageCheck(browser, origin, path, name) {
  const page = await openPage(browser, origin);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const idle = chromiumMemory();
  const stop = sampler();
  const started = performance.now();
  await page.setInputFiles('#file', path);
  await page.waitForFunction((n) => document.getElementById('status').textContent.startsWith(`Checked ${n}`), name, {
    timeout: 300_000,
    polling: 10,
  });
  const verdict = performance.now() - started;
  await page.waitForFunction(() => document.getElementById('page-info').textContent !== '', null, { polling: 10 });
  const shown = performance.now() - started;
  const peak = stop();

  // Sort by age (two clicks: oldest first, then youngest first), and the
  // renderers' memory meanwhile (a sort holds a key per row).
  const stopTable = sampler();
  await page.click('th[data-sort="age_days"] button');
  await page.waitForFunction(() => document.querySelector('th[data-sort="age_days"]').getAttribute('aria-sort') === 'descending', null, { polling: 10 });
  const first = await page.textContent('#findings-body tr td:nth-child(8)');
  let t = performance.now();
  await page.click('th[data-sort="age_days"] button');
  await page.waitForFunction(
    (was) =>
      document.querySelector('th[data-sort="age_days"]').getAttribute('aria-sort') === 'ascending' &&
      document.querySelector('#findings-body tr td:nth-child(8)').textContent !== was,
    first,
    { polling: 10 },
  );
  const sort = performance.now() - t;
  t = performance.now();
  await page.selectOption('#filter-status', 'fail');
  await page.waitForFunction(() => document.getElementById('shown').textContent.endsWith('matching the filters.'), null, { polling: 10 });
  const filter = performance.now() - t;
  const tablePeak = stopTable();
  // The CSV of every finding, from the click to the download, and the
  // page's renderer's peak meanwhile.
  await page.selectOption('#filter-status', '');
  await page.waitForFunction(() => !document.getElementById('shown').textContent.endsWith('matching the filters.'), null, { polling: 10 });
  const stopExport = sampler();
  t = performance.now();
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 300_000 }), page.click('#export-csv')]);
  const exportMs = performance.now() - t;
  const exportPeak = stopExport();
  const exportBytes = statSync(await download.path()).size;
  // The rotation plan, from the click on its tab to its first page, and
  // the renderers' memory meanwhile.
  const stopPlan = sampler();
  t = performance.now();
  await page.click('#tab-plan');
  await page.waitForFunction(() => document.querySelectorAll('#plan-steps > li').length > 0, null, { timeout: 300_000, polling: 10 });
  const plan = performance.now() - t;
  const planPeak = stopPlan();
  const after = chromiumMemory();
  await page.context().close();
  return { verdict, shown, idle, peak, after, sort, filter, tablePeak, exportMs, exportPeak, exportBytes, plan, planPeak };
}

const env = await launch();
const dir = mkdtempSync(join(tmpdir(), 'keyrot-bench-'));
const table = [];
try {
  for (const rows of sizes) {
    const name = `bench-${rows}.csv`;
    const path = join(dir, name);
    writeLargeReport(path, rows);
    const bytes = statSync(path).size;
    const samples = { node: [], read: [], verdict: [], shown: [], idle: [], peak: [], sort: [], filter: [], tablePeak: [], exportMs: [], exportPeak: [], exportBytes: [], plan: [], planPeak: [] };
    // A warm-up of each, not counted.
    nodeCheck(path);
    await pageCheck(env.browser, env.origin, path, name);
    for (let run = 0; run < runs; run++) {
      samples.node.push(nodeCheck(path).ms);
      const floorPage = await openPage(env.browser, env.origin);
      samples.read.push(await browserRead(floorPage, path));
      await floorPage.context().close();
      const r = await pageCheck(env.browser, env.origin, path, name);
      samples.verdict.push(r.verdict);
      samples.shown.push(r.shown);
      samples.idle.push(r.idle);
      samples.peak.push(r.peak);
      samples.sort.push(r.sort);
      samples.filter.push(r.filter);
      samples.tablePeak.push(r.tablePeak);
      samples.exportMs.push(r.exportMs);
      samples.exportPeak.push(r.exportPeak);
      samples.exportBytes.push(r.exportBytes);
      samples.plan.push(r.plan);
      samples.planPeak.push(r.planPeak);
      console.error(`${rows} rows, run ${run + 1}: verdict ${r.verdict.toFixed(0)} ms, peak PSS ${(r.peak.pagePss / MB).toFixed(0)} MiB (the page's renderer), ${(r.peak.rendererPss / MB).toFixed(0)} MiB (renderers), ${(r.peak.pss / MB).toFixed(0)} MiB (all)`);
    }
    table.push({ rows, bytes, samples });
    rmSync(path);
  }
} finally {
  await shutdown(env);
  rmSync(dir, { recursive: true, force: true });
}

const s = (ms) => (ms / 1000).toFixed(2);
const mib = (b) => (b / MB).toFixed(0);
console.log(`Headless Chromium (${env.browser.version()}), ${cpus().length} cores, load ${loadavg()[0].toFixed(2)}; best / median of ${runs} runs.`);
console.log('');
console.log(
  '| rows (MB) | verdict, s | table shown, s | read floor, s | verdict ÷ floor | checkCsv in Node, s | verdict ÷ Node | ' +
    "page's renderer PSS idle → peak (RSS), MiB | renderers' PSS idle → peak, MiB | all Chromium PSS idle → peak (RSS), MiB | sort / filter, ms (page's renderer peak, MiB) | CSV export, s (MB; page's renderer peak, MiB) | plan, s (page's renderer peak, MiB) |",
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
const med = (list, key) => median(list.map((m) => m[key]));
for (const { rows, bytes, samples: x } of table) {
  console.log(
    `| ${rows.toLocaleString('en')} (${(bytes / 1e6).toFixed(0)}) | ${s(best(x.verdict))} / ${s(median(x.verdict))} | ${s(median(x.shown))} | ` +
      `${s(median(x.read))} | ${(median(x.verdict) / median(x.read)).toFixed(1)}× | ${s(best(x.node))} / ${s(median(x.node))} | ` +
      `${(median(x.verdict) / median(x.node)).toFixed(2)}× | ${mib(med(x.idle, 'pagePss'))} → ${mib(med(x.peak, 'pagePss'))} (${mib(med(x.peak, 'pageRss'))}) | ` +
      `${mib(med(x.idle, 'rendererPss'))} → ${mib(med(x.peak, 'rendererPss'))} | ` +
      `${mib(med(x.idle, 'pss'))} → ${mib(med(x.peak, 'pss'))} (${mib(med(x.peak, 'rss'))}) | ${median(x.sort).toFixed(0)} / ${median(x.filter).toFixed(0)} (${mib(med(x.tablePeak, 'pagePss'))}) | ` +
      `${s(median(x.exportMs))} (${(median(x.exportBytes) / 1e6).toFixed(0)}; ${mib(med(x.exportPeak, 'pagePss'))}) | ` +
      `${s(median(x.plan))} (${mib(med(x.planPeak, 'pagePss'))}) |`,
  );
}
