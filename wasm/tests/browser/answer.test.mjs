// The page puts the answer first, in headless Chromium at 1280x900 and
// 390x844 (issue 26): after a check the options fold into a summary line,
// the verdict is in the first viewport and has the focus, it links to the
// plan's first steps, nothing is wider than the screen, the table opens in
// triage order and fits 1,280 px with several files; the plan's downloads
// and the HTML report are the command's bytes (`keyrot plan --format X`,
// `keyrot check --format html`); the report opened on its own loads
// nothing, runs nothing and keeps hostile names as text; the errors are
// kind; axe-core finds no serious or critical violation in the empty,
// result, plan, error and trend states; several reports of one account give
// a trend whose counts are `keyrot history --format json`'s; and 200,000
// rows get the same.
//
// Needs KEYROT_CLI (the command's path; wasm/ci.sh builds it) for the
// comparisons with the command. Run after scripts/build.sh:
//   KEYROT_CLI=… node --test tests/browser/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { HEADER, LARGE_AS_OF, artifacts, launch, showOptions, shutdown, wasmDir, writeLargeReport } from './harness.mjs';
import { analyze, plan } from '../../pkg/node/keyrot.js';

const testdata = fileURLToPath(new URL('../../../testdata/', import.meta.url));
const samples = join(testdata, 'samples');
const SAMPLE = 'c7n-test_iam_user_unused_keys.csv';
const SAMPLE_AS_OF = '2016-11-26T00:00:00Z';
const MANY = join(testdata, 'cases/many_reports_one_verdict/inputs');
const cli = process.env.KEYROT_CLI;
const needsCli = cli ? false : 'KEYROT_CLI is not set (wasm/ci.sh sets it)';
const AXE = readFileSync(join(wasmDir, 'node_modules/axe-core/axe.min.js'), 'utf8');
const VIEWPORTS = [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
];
const SEVERITY_RANK = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

let env;
const requests = [];
const pageErrors = [];

before(async () => {
  env = await launch();
});

after(() => shutdown(env));

async function openPage(viewport = VIEWPORTS[0]) {
  const context = await env.browser.newContext({ viewport, acceptDownloads: true });
  context.on('request', (request) => requests.push(request.url()));
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(`${env.origin}/`);
  return page;
}

/** Checks `files` at `asOf` (a fresh page: the options are open); waits for the verdict or the error, and the first page of the table. */
async function check(page, files, asOf, { rules = '', timeout = 30_000 } = {}) {
  await showOptions(page);
  if (asOf) {
    await page.check('#as-of-fixed');
    await page.fill('#as-of', asOf);
  }
  if (rules) await page.selectOption('#rules', rules);
  await page.setInputFiles('#file', files);
  await page.waitForFunction(
    () => document.getElementById('status').textContent.startsWith('Checked') || !document.getElementById('error').hidden,
    null,
    { timeout },
  );
  await page.waitForFunction(() => !document.getElementById('error').hidden || document.getElementById('page-info').textContent !== '', null, { timeout });
}

/** The command, run in `cwd` (so the reports are named as the page names them); its stdout. */
function keyrot(cwd, args, encoding = 'utf8') {
  const run = spawnSync(cli, args, { cwd, encoding, maxBuffer: 1 << 30 });
  assert.ok([0, 1, 2].includes(run.status), `keyrot ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

/** The bytes of what clicking `selector` downloads, and the file's suggested name. */
async function download(page, selector, timeout = 60_000) {
  const [file] = await Promise.all([page.waitForEvent('download', { timeout }), page.click(selector)]);
  return { bytes: readFileSync(await file.path()), name: file.suggestedFilename() };
}

/** Findings in triage order, as the core's rule says: severity, then counting before exempted, then fewest days until due, then the oldest; ties in input order. */
function triage(findings) {
  const key = (f) => [SEVERITY_RANK[f.severity], f.exempted ? 1 : 0, f.days_until_due ?? Infinity, f.age_days === null ? Infinity : -f.age_days];
  return findings
    .map((f, i) => ({ f, i, k: key(f) }))
    .sort((a, b) => {
      for (let j = 0; j < 4; j++) if (a.k[j] !== b.k[j]) return a.k[j] < b.k[j] ? -1 : 1;
      return a.i - b.i;
    })
    .map(({ f }) => f);
}

/** The table's rows as [user, slot, status label]. */
function shownKeys(page) {
  return page.$$eval('#findings-body tr', (rows) =>
    rows.filter((r) => !r.querySelector('td.empty')).map((r) => [r.querySelector('td.user').textContent, r.cells[r.querySelector('td.user').cellIndex + 1].textContent, r.querySelector('.badge').textContent]),
  );
}

const LABELS = { fail: 'Fail', pass: 'Pass', inactive: 'Inactive', due_soon: 'Due soon', invalid: 'Invalid' };
const asRows = (findings) => findings.map((f) => [f.is_root ? `${f.user} (root)` : f.user, f.slot === null ? '—' : String(f.slot), LABELS[f.status]]);

/** What is wider than the screen: the page's scroll width, and the elements whose right edge is past it (outside scrolling boxes). */
function overflow(page) {
  return page.evaluate(() => {
    const scrolls = (el) => {
      for (let e = el.parentElement; e; e = e.parentElement) {
        const style = getComputedStyle(e);
        if (['auto', 'scroll', 'hidden'].includes(style.overflowX) && e !== document.documentElement && e !== document.body) return true;
      }
      return false;
    };
    const wide = [...document.querySelectorAll('body *')]
      .filter((el) => el.getClientRects().length && el.getBoundingClientRect().right > window.innerWidth + 0.5 && !scrolls(el))
      .map((el) => el.id || `${el.tagName.toLowerCase()}.${el.className}`);
    return { scrollWidth: document.documentElement.scrollWidth, width: window.innerWidth, wide: wide.slice(0, 10) };
  });
}

async function assertFits(page, state) {
  const o = await overflow(page);
  assert.ok(o.scrollWidth <= o.width, `${state} at ${o.width} px: the page is ${o.scrollWidth} px wide (${o.wide.join(', ')})`);
  assert.deepStrictEqual(o.wide, [], `${state} at ${o.width} px: nothing is wider than the screen`);
}

/** axe-core's serious and critical violations of the page as it is (run in the page: nothing is fetched). */
async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`);
}

for (const viewport of VIEWPORTS) {
  test(`${viewport.width}x${viewport.height}: the answer first, in triage order, linked to the plan; a bad date keeps it, dimmed`, async () => {
    const page = await openPage(viewport);
    await assertFits(page, 'the empty page');
    const file = join(samples, SAMPLE);
    await check(page, file, SAMPLE_AS_OF);
    const expected = analyze(readFileSync(file), { asOf: SAMPLE_AS_OF });
    const steps = plan(readFileSync(file), { asOf: SAMPLE_AS_OF }).steps;

    // The verdict is in the first viewport, with the focus; the options are one line.
    assert.equal(await page.evaluate(() => document.activeElement.id), 'verdict');
    const box = await page.$eval('#verdict', (v) => {
      const r = v.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, height: window.innerHeight };
    });
    assert.ok(box.top >= 0 && box.bottom <= box.height, `the verdict is at ${box.top}-${box.bottom} of ${box.height}`);
    assert.equal(await page.textContent('#verdict-title'), 'Not compliant');
    assert.equal(await page.isHidden('#setup'), true);
    assert.equal(await page.textContent('#setup-summary-text'), `${SAMPLE} · limit 90 days · as of 2016-11-26 00:00:00 UTC · key rotation only`);
    assert.equal(await page.getAttribute('#setup-change', 'aria-expanded'), 'false');
    await assertFits(page, 'the result');

    // Triage order: the most severe first, then the furthest overdue, then the oldest.
    assert.deepStrictEqual(await shownKeys(page), asRows(triage(expected.findings)));
    assert.notDeepStrictEqual(asRows(triage(expected.findings)), asRows(expected.findings), 'triage order is not the file\'s');
    assert.equal((await shownKeys(page))[0][0], '<root_account> (root)', 'the root user\'s key leads');
    if (viewport.width === 1280) await page.screenshot({ path: join(artifacts, 'answer-result.png') });

    // The verdict links to the steps needed to pass.
    const needed = steps.filter((s) => s.needed);
    assert.ok(needed.length > 0, 'some steps are needed to pass');
    await page.waitForSelector('#start-here', { state: 'visible' });
    assert.equal(await page.textContent('#start-here'), `Start here: ${needed.length} steps needed to pass`);
    await page.click('#start-here');
    await page.waitForFunction((n) => document.querySelectorAll('#plan-steps > li').length === n && document.getElementById('plan-shown').textContent.includes('matching'), needed.length);
    assert.equal(await page.getAttribute('#tab-plan', 'aria-selected'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'panel-plan');
    assert.equal(await page.inputValue('#plan-needed'), 'yes');
    assert.deepStrictEqual(
      await page.$$eval('#plan-steps > li', (items) => items.map((li) => [li.dataset.step, li.querySelector('.step-user').textContent])),
      needed.map((s) => [s.step, s.is_root ? `${s.user} (root)` : s.user]),
    );
    await assertFits(page, 'the plan');
    if (viewport.width === 1280) await page.screenshot({ path: join(artifacts, 'answer-plan.png') });

    // A date typo: the box is marked with the error, the result stays, dimmed, with the same rows.
    await page.click('#tab-findings');
    await page.click('#setup-change');
    await page.fill('#as-of', '26/11/2016');
    await page.press('#as-of', 'Tab');
    await page.waitForFunction(() => !document.getElementById('error').hidden);
    assert.equal(await page.textContent('#error-title'), 'The evaluation time cannot be used');
    const message = await page.textContent('#error-message');
    assert.match(message, /^The evaluation time must be an RFC 3339 timestamp/);
    assert.doesNotMatch(message, /`/, 'no literal backticks');
    assert.doesNotMatch(message, /as_of/, 'the form\'s name, not the internal one');
    assert.equal(await page.textContent('#as-of-error'), message);
    assert.equal(await page.getAttribute('#as-of', 'aria-invalid'), 'true');
    assert.equal(await page.getAttribute('#as-of', 'aria-describedby'), 'as-of-error');
    assert.equal(await page.isVisible('#result'), true);
    assert.equal(await page.getAttribute('#result', 'class'), 'stale');
    assert.match(await page.textContent('#error-kept'), new RegExp(`the last result that could be checked \\(${SAMPLE.replaceAll('.', '\\.')}\\)`));
    assert.deepStrictEqual(await shownKeys(page), asRows(triage(expected.findings)));
    await assertFits(page, 'the error');
    if (viewport.width === 1280) await page.screenshot({ path: join(artifacts, 'answer-error.png') });

    // Corrected: the mark goes, the result is whole again.
    await page.fill('#as-of', '2016-11-26');
    await page.press('#as-of', 'Tab');
    await page.waitForFunction(() => document.getElementById('error').hidden && !document.getElementById('result').classList.contains('stale'));
    assert.equal(await page.getAttribute('#as-of', 'aria-invalid'), null);
    await page.context().close();
  });
}

test('several files: the findings table fits 1,280 px, file names on one line; the table and the chart filter by a bar', async () => {
  const page = await openPage();
  const names = readdirSync(MANY).sort();
  await check(page, names.map((n) => join(MANY, n)), '2026-11-26T00:00:00Z');
  assert.equal(await page.isVisible('#th-source'), true);
  const fit = await page.$eval('#panel-findings .table-wrap', (wrap) => ({ scroll: wrap.scrollWidth, client: wrap.clientWidth }));
  assert.ok(fit.scroll <= fit.client, `the table is ${fit.scroll} px in ${fit.client}`);
  const sources = await page.$$eval('#findings-body td.source', (cells) =>
    cells.map((td) => {
      const range = document.createRange();
      range.selectNodeContents(td);
      const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
      return { lines, title: td.title, text: td.textContent };
    }),
  );
  assert.ok(sources.length > 0);
  for (const s of sources) {
    assert.equal(s.lines, 1, `${s.text} is on one line`);
    assert.equal(s.title, s.text, 'the whole name on hover');
  }
  await assertFits(page, 'several files');

  // A bar of the age chart shows its keys; pressed again, every key.
  const bars = await page.$$eval('#chart .bar:not(:disabled)', (buttons) => buttons.map((b) => ({ start: Number(b.dataset.start), end: b.dataset.end === '' ? null : Number(b.dataset.end), total: Number(b.dataset.total) })));
  assert.ok(bars.length > 0);
  const all = analyze; // the engine in Node, for the ages
  const many = names.filter((n) => !n.startsWith('4-')).flatMap((n) => all(readFileSync(join(MANY, n)), { asOf: '2026-11-26T00:00:00Z' }).findings);
  for (const bar of bars) {
    const index = bars.indexOf(bar);
    await page.locator('#chart .bar:not(:disabled)').nth(index).click();
    const want = many.filter((f) => f.status !== 'invalid' && f.age_days !== null && f.age_days >= bar.start && (bar.end === null || f.age_days < bar.end));
    assert.equal(want.length, bar.total, `the bar ${bar.start}-${bar.end} counts its keys`);
    await page.waitForFunction((n) => document.getElementById('shown').textContent === `Rows 1–${n} of ${n} matching the filters.`, want.length);
    assert.equal(await page.getAttribute(`#chart .bar[data-start="${bar.start}"]`, 'aria-pressed'), 'true');
    assert.equal(await page.isVisible('#age-filter'), true);
    await page.locator('#chart .bar:not(:disabled)').nth(index).click();
    await page.waitForFunction(() => document.getElementById('age-filter').hidden);
  }
  await page.context().close();
});

test('the plan downloads are the bytes of keyrot plan --format json, markdown, sh and csv', { skip: needsCli }, async () => {
  for (const [files, cwd, asOf] of [
    [[SAMPLE], samples, SAMPLE_AS_OF],
    [readdirSync(MANY).sort(), MANY, '2026-11-26T00:00:00Z'],
  ]) {
    const page = await openPage();
    await check(page, files.map((n) => join(cwd, n)), asOf);
    await page.click('#tab-plan');
    await page.waitForFunction(() => document.querySelectorAll('#plan-steps > li').length > 0);
    const base = files.length === 1 ? files[0].replace(/\.[^.]*$/, '') : 'reports';
    for (const [format, extension] of [['json', 'json'], ['markdown', 'md'], ['sh', 'sh'], ['csv', 'csv']]) {
      const ours = await download(page, `#plan-export-${format}`);
      assert.equal(ours.name, `${base}-plan.${extension}`);
      const theirs = keyrot(cwd, ['plan', '--format', format, '--as-of', asOf, ...files], 'buffer');
      assert.ok(theirs.length > 100, `keyrot plan --format ${format} wrote ${theirs.length} bytes`);
      assert.ok(ours.bytes.equals(theirs), `${files.length} file(s): the page's ${format} plan is the command's bytes`);
    }
    assert.match(await page.textContent('#status'), /^Saved \d+ steps as /);
    await page.context().close();
  }
});

test('Download report is keyrot check --format html; opened alone it loads nothing, runs nothing and keeps names as text', { skip: needsCli }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyrot-report-'));
  try {
    const hostile = '<img src=x onerror=alert(1)>';
    const row = (user, rotated) =>
      `"${user.replaceAll('"', '""')}",arn:aws:iam::111122223333:user/x,2020-01-01T00:00:00Z,true,N/A,N/A,N/A,false,true,${rotated},N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`;
    const csv = `${[HEADER, row(hostile, '2026-01-01T00:00:00Z'), row('<script>window.__ran=1</script>', '2026-11-01T00:00:00Z'), row('ok', '2026-10-01T00:00:00Z')].join('\n')}\n`;
    writeFileSync(join(dir, 'hostile.csv'), csv);
    copyFileSync(join(testdata, 'samples/guardian-security-hq-CredentialsReportTest.csv'), join(dir, 'guardian.csv'));

    for (const [name, asOf, rules] of [
      ['hostile.csv', '2026-11-26T00:00:00Z', ''],
      ['guardian.csv', '2017-09-01T00:00:00Z', 'all'],
    ]) {
      const page = await openPage();
      await check(page, join(dir, name), asOf, { rules });
      const ours = await download(page, '#download-report');
      assert.equal(ours.name, `${name.replace('.csv', '')}-report.html`);
      const args = ['check', '--format', 'html', '--as-of', asOf, ...(rules ? ['--rules', rules] : []), name];
      const theirs = keyrot(dir, args, 'buffer');
      assert.ok(ours.bytes.equals(theirs), `${name}: the page's report is the bytes of keyrot ${args.join(' ')}`);
      await page.context().close();
      const json = JSON.parse(keyrot(dir, ['check', '--format', 'json', '--as-of', asOf, ...(rules ? ['--rules', rules] : []), name]));

      // The report opened as a file, in a context that records every request and dialog.
      const path = join(dir, `${name}.html`);
      writeFileSync(path, ours.bytes);
      const context = await env.browser.newContext({ viewport: VIEWPORTS[0] });
      const seen = [];
      context.on('request', (r) => seen.push(r.url()));
      const report = await context.newPage();
      const dialogs = [];
      report.on('dialog', (d) => {
        dialogs.push(d.message());
        d.dismiss();
      });
      const url = pathToFileURL(path).href;
      await report.goto(url);
      await report.waitForLoadState('load');
      assert.deepStrictEqual(seen, [url], 'the document alone: no request');
      const inside = await report.evaluate(() => ({
        scripts: document.scripts.length,
        imgs: document.images.length,
        handlers: [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length,
        ran: window.__ran ?? null,
        csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content ?? null,
        text: document.body.textContent,
        totals: Object.fromEntries([...document.querySelectorAll('[data-total]')].map((el) => [el.dataset.total, Number(el.textContent.replaceAll(',', ''))])),
        rules: Object.fromEntries(
          [...document.querySelectorAll('tr[data-rule]')].map((tr) => [tr.dataset.rule, Object.fromEntries([...tr.querySelectorAll('td[data-count]')].map((td) => [td.dataset.count, Number(td.textContent.replaceAll(',', ''))]))]),
        ),
        verdict: document.getElementById('verdict').textContent,
      }));
      assert.deepStrictEqual([inside.scripts, inside.imgs, inside.handlers, inside.ran, dialogs], [0, 0, 0, null, []], 'nothing runs, nothing is an element');
      assert.match(inside.csp, /default-src 'none'/);
      assert.doesNotMatch(inside.csp, /script-src/);
      assert.equal(inside.verdict, json.summary.compliant ? 'Compliant' : 'Not compliant');
      if (name === 'hostile.csv') {
        assert.ok(inside.text.includes(hostile), 'the hostile name is shown as text');
        assert.deepStrictEqual(
          [inside.totals.fail, inside.totals.invalid, inside.totals.due_soon, inside.totals.pass, inside.totals.inactive, inside.totals.findings],
          [json.summary.fail, json.summary.invalid, json.summary.due_soon, json.summary.pass, json.summary.inactive, json.summary.keys],
        );
        assert.equal(inside.totals.fail, 1);
        await report.screenshot({ path: join(artifacts, 'report-hostile.png'), fullPage: true });
      } else {
        // Every check: the report's counts per check are the JSON's.
        const rules = Object.entries(json.summary.rules);
        assert.ok(rules.length > 3);
        for (const [rule, c] of rules) {
          assert.deepStrictEqual(inside.rules[rule], { fail: c.fail, invalid: c.invalid, due_soon: c.due_soon, pass: c.pass, inactive: c.inactive, exempted: c.exempted }, rule);
        }
        const sum = (k) => rules.reduce((n, [, c]) => n + c[k], 0);
        assert.deepStrictEqual([inside.totals.fail, inside.totals.invalid, inside.totals.findings], [sum('fail'), sum('invalid'), sum('findings')]);
        await report.screenshot({ path: join(artifacts, 'report.png') });
      }
      await context.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kind errors: a spreadsheet is named, a file without the columns shows the header it has', async () => {
  const page = await openPage();
  // An .xlsx is a ZIP archive.
  const xlsx = Buffer.concat([Buffer.from('PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00', 'binary'), Buffer.alloc(64, 0), Buffer.from('[Content_Types].xml')]);
  await check(page, { name: 'report.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: xlsx }, SAMPLE_AS_OF);
  assert.equal(await page.textContent('#error-title'), 'report.xlsx is not a text report');
  assert.equal(await page.textContent('#error-code'), 'not_text');
  const zip = await page.textContent('#error-message');
  assert.match(zip, /^this is a ZIP archive \(an Excel \.xlsx or another Office file is one\): export the credential report as CSV/);
  assert.doesNotMatch(zip, /[\0`]|NUL/);
  assert.equal(await page.isVisible('#result'), false, 'nothing was checked before: nothing to keep');
  assert.equal(await page.isHidden('#setup'), false, 'the options stay open');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'error');
  assert.deepStrictEqual(await axeViolations(page), [], 'the error state');
  await page.screenshot({ path: join(artifacts, 'answer-not-text.png') });

  // A CSV without the report's columns: the header it has, as code, and how to get a report.
  const csv = 'name,arn,password_enabled\nalice,arn:aws:iam::111122223333:user/alice,true\n';
  await check(page, { name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) }, SAMPLE_AS_OF);
  assert.equal(await page.textContent('#error-title'), 'users.csv is not a credential report');
  assert.equal(await page.textContent('#error-code'), 'missing_columns');
  const message = await page.textContent('#error-message');
  assert.doesNotMatch(message, /`/);
  assert.match(message, /lacks the required column\(s\) user, /);
  assert.match(message, /aws iam get-credential-report/);
  const quoted = await page.$$eval('#error-message code', (codes) => codes.map((c) => c.textContent));
  for (const column of ['name', 'arn', 'password_enabled']) assert.ok(quoted.includes(column), `the header's ${column} is shown`);
  await page.context().close();
});

test('axe-core: no serious or critical violation on the empty, result, plan, error and every-check states', async () => {
  for (const viewport of VIEWPORTS) {
    const page = await openPage(viewport);
    const states = {};
    states.empty = await axeViolations(page);
    await check(page, join(samples, SAMPLE), SAMPLE_AS_OF);
    states.result = await axeViolations(page);
    await page.click('#tab-plan');
    await page.waitForFunction(() => document.querySelectorAll('#plan-steps > li').length > 0);
    states.plan = await axeViolations(page);
    await page.click('#tab-findings');
    await page.click('#setup-change');
    await page.fill('#max-age', '0');
    await page.press('#max-age', 'Tab');
    await page.waitForFunction(() => !document.getElementById('error').hidden);
    states.error = await axeViolations(page);
    await page.fill('#max-age', '90');
    await page.selectOption('#rules', 'all');
    await page.waitForFunction(() => !document.getElementById('rules-box').hidden && document.getElementById('error').hidden);
    states.every_check = await axeViolations(page);
    assert.deepStrictEqual(states, { empty: [], result: [], plan: [], error: [], every_check: [] }, `${viewport.width}x${viewport.height}`);
    await page.context().close();
  }
});

test('several reports of one account: the trend chart\'s counts are keyrot history --format json\'s', async () => {
  const folder = join(testdata, 'history/clean_rotation_every_step/reports');
  const names = readdirSync(folder).sort();
  const page = await openPage();
  await check(page, names.map((n) => join(folder, n)), null);
  await page.waitForFunction(() => !document.getElementById('trend-box').hidden && document.querySelector('#trend-charts figure'));
  const shown = await page.evaluate(() =>
    [...document.querySelectorAll('#trend-charts figure')].map((figure) => ({
      account: figure.dataset.account,
      bars: [...figure.querySelectorAll('.trend-point')].map((g) => ({ time: g.dataset.time, fail: +g.dataset.fail, invalid: +g.dataset.invalid, due_soon: +g.dataset.due_soon, pass: +g.dataset.pass, inactive: +g.dataset.inactive })),
      rows: [...figure.querySelectorAll('tbody tr')].map((tr) => [tr.dataset.time, ...[...tr.cells].slice(1).map((c) => Number(c.textContent.replaceAll(',', '')))]),
    })),
  );
  const summary = await page.textContent('#trend-summary');
  await page.locator('#trend-box').screenshot({ path: join(artifacts, 'answer-trend.png') });
  assert.deepStrictEqual(await axeViolations(page), [], 'the trend state');

  // The command's history of the same files, their times read from their names.
  const history = cli
    ? JSON.parse(keyrot(folder, ['history', '--time-from-name', '%Y-%m-%d', '--format', 'json', ...names]))
    : null;
  const expected = (history ?? { trend: { accounts: [] } }).trend.accounts.filter((a) => a.points.length > 1);
  if (!cli) {
    assert.equal(shown.length, 1, 'one account with several reports');
    return;
  }
  assert.equal(expected.length, 1);
  assert.deepStrictEqual(
    shown,
    expected.map((a) => ({
      account: a.account_id,
      bars: a.points.map((p) => ({ time: p.time, fail: p.counts.fail, invalid: p.counts.invalid, due_soon: p.counts.due_soon, pass: p.counts.pass, inactive: p.counts.inactive })),
      rows: a.points.map((p) => [p.time, p.counts.fail, p.counts.invalid, p.counts.due_soon, p.counts.pass, p.counts.inactive, p.newly_overdue, p.remediated, p.rotations_stalled]),
    })),
  );
  assert.equal(shown[0].bars.length, names.length);
  assert.ok(shown[0].bars.some((b) => b.fail > 0) && shown[0].bars.at(-1).fail === 0, 'overdue, then fixed');
  const t = history.totals;
  assert.ok(summary.includes(`${t.reports} reports of ${t.accounts} account`), summary);
  assert.ok(summary.includes(`${t.remediated} overdue key fixed (median ${t.remediation.median.at_least} to ${t.remediation.median.at_most} days overdue when fixed)`), summary);

  // A report without a time: the trend says which and how to give one.
  const undated = join(testdata, 'history/report_without_time/reports');
  await page.click('#setup-change');
  await check(page, readdirSync(undated).sort().map((n) => join(undated, n)), null);
  await page.waitForFunction(() => document.getElementById('trend-summary').textContent.includes('cannot be followed'));
  const why = await page.textContent('#trend-summary');
  assert.match(why, /undated\.csv/);
  assert.match(why, /a date in its file name/);
  assert.equal(await page.locator('#trend-charts figure').count(), 0);
  await page.context().close();
});

test('200,000 rows: the verdict first and focused, triage order, per-status counts, the plan\'s CSV as the command writes it', { skip: needsCli }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyrot-answer-'));
  try {
    const name = 'large-200000.csv';
    writeLargeReport(join(dir, name), 200_000);
    const bytes = readFileSync(join(dir, name));
    const { first, summary } = (() => {
      const { findings, summary } = analyze(bytes, { asOf: LARGE_AS_OF });
      return { first: asRows(triage(findings).slice(0, 100)), summary };
    })();
    const page = await openPage();
    await check(page, join(dir, name), LARGE_AS_OF, { timeout: 240_000 });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'verdict');
    const box = await page.$eval('#verdict', (v) => [v.getBoundingClientRect().top, v.getBoundingClientRect().bottom, window.innerHeight]);
    assert.ok(box[0] >= 0 && box[1] <= box[2], `the verdict is at ${box}`);
    const counts = await page.$$eval('#counts button', (buttons) => Object.fromEntries(buttons.map((b) => [b.dataset.status, Number(b.querySelector('.count-value').textContent.replaceAll(',', ''))])));
    assert.deepStrictEqual(counts, { fail: summary.fail, invalid: summary.invalid, due_soon: summary.due_soon, pass: summary.pass, inactive: summary.inactive });
    assert.deepStrictEqual(await shownKeys(page), first, 'the first page in triage order');
    await page.waitForSelector('#start-here', { state: 'visible', timeout: 240_000 });
    await page.screenshot({ path: join(artifacts, 'answer-200k.png') });
    await page.click('#tab-plan');
    await page.waitForFunction(() => document.querySelectorAll('#plan-steps > li').length > 0, null, { timeout: 240_000 });
    const ours = await download(page, '#plan-export-csv', 240_000);
    const theirs = keyrot(dir, ['plan', '--format', 'csv', '--as-of', LARGE_AS_OF, name], 'buffer');
    assert.ok(theirs.length > 1e6);
    assert.ok(ours.bytes.equals(theirs), 'the page\'s plan CSV of 200,000 rows is the command\'s bytes');
    await page.context().close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('nothing was requested beyond 127.0.0.1, and no page threw', () => {
  assert.ok(requests.length > 10);
  assert.deepStrictEqual(requests.filter((url) => !url.startsWith(`${env.origin}/`) && !/^(blob|data):/.test(url)), []);
  assert.deepStrictEqual(pageErrors, []);
});
