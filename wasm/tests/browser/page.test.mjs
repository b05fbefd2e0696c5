// The page in headless Chromium (playwright-core, Debian's /usr/bin/chromium),
// served on 127.0.0.1 by scripts/serve.mjs. Screenshots go to
// wasm/test-artifacts/ (git-ignored).
//
// Run after scripts/build.sh: node --test tests/browser/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { HEADER, artifacts, contrasts as measureContrasts, launch, showOptions, shutdown, sortOldestFirst, writeLargeReport } from './harness.mjs';
import { Checker, analyze, plan } from '../../pkg/node/keyrot.js';

const samples = fileURLToPath(new URL('../../../testdata/samples/', import.meta.url));

/** The command (wasm/ci.sh builds it): the page's exports are compared with its output. */
const cli = process.env.KEYROT_CLI;

/** A functional bound for "the table responds": generous, not a benchmark. */
const RESPONDS_WITHIN = 20_000;


/** One CSV row; `user` is quoted as RFC 4180 requires. */
function csvRow({ user, account = '111122223333', active1 = true, rotated1, active2 = false, rotated2 = 'N/A', used1 = 'N/A' }) {
  const quoted = /[",\r\n\t]/.test(user) ? `"${user.replaceAll('"', '""')}"` : user;
  const arn = `arn:aws:iam::${account}:user/x`;
  return (
    `${quoted},${arn},2020-01-01T00:00:00Z,false,N/A,N/A,N/A,false,` +
    `${active1},${rotated1},${used1},N/A,N/A,${active2},${rotated2},N/A,N/A,N/A,false,N/A,false,N/A`
  );
}

let browser;
let origin;
/** Every request any page of the run made: checked at the end. */
const requests = [];
const pageErrors = [];

let env;
before(async () => {
  env = await launch();
  ({ origin, browser } = env);
});

after(() => shutdown(env));

async function openPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
  context.on('request', (request) => requests.push(request.url()));
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(`${origin}/`);
  return page;
}

/** Sets "evaluate as of" to a fixed UTC time ("2016-11-26T00:00:00"). */
async function setAsOf(page, utc) {
  await page.check('#as-of-fixed');
  await page.fill('#as-of', utc);
}

/** Uploads a file (a path or {name, mimeType, buffer}); waits for the verdict or the error. */
async function upload(page, file, timeout = 30_000) {
  const name = typeof file === 'string' ? file.split('/').pop() : file.name;
  await page.setInputFiles('#file', file);
  await page.waitForFunction(
    (n) =>
      document.getElementById('status').textContent.startsWith(`Checked ${n}`) ||
      !document.getElementById('error').hidden,
    name,
    { timeout },
  );
  // The first page of the table arrives right after the result.
  await page.waitForFunction(() => document.getElementById('error').hidden === false || document.getElementById('page-info').textContent !== '', null, { timeout });
}

async function counts(page) {
  return page.$$eval('#counts button', (buttons) =>
    Object.fromEntries(buttons.map((b) => [b.dataset.status, Number(b.querySelector('.count-value').textContent.replaceAll(',', ''))])),
  );
}

async function tableRows(page) {
  return page.$$eval('#findings-body tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
}

test('a real sample: verdict, counts and table rows', async () => {
  const page = await openPage();
  await setAsOf(page, '2016-11-26T00:00:00');
  const file = join(samples, 'c7n-test_iam_user_unused_keys.csv');
  await upload(page, file);

  const expected = analyze(readFileSync(file), { asOf: '2016-11-26T00:00:00Z' });
  assert.equal(await page.textContent('#verdict-title'), 'Not compliant');
  assert.equal(expected.summary.compliant, false);
  assert.deepStrictEqual(await counts(page), { fail: 6, invalid: 0, due_soon: 0, pass: 2, inactive: 1 });
  for (const status of ['fail', 'invalid', 'due_soon', 'pass', 'inactive']) {
    assert.equal((await counts(page))[status], expected.summary[status], status);
  }
  assert.match(await page.textContent('#context'), /Judged as of 2016-11-26T00:00:00Z \(the time you chose\)/);

  // The table opens in triage order; sorted by Line it is the report's order.
  assert.equal(await page.getAttribute('th[data-sort="line"]', 'aria-sort'), 'none');
  await page.click('th[data-sort="line"] button');
  await page.waitForFunction(() => document.querySelector('th[data-sort="line"]').getAttribute('aria-sort') === 'ascending');
  const rows = await tableRows(page);
  assert.equal(rows.length, expected.findings.length);
  assert.equal(rows.length, 9);
  const labels = { fail: 'Fail', pass: 'Pass', inactive: 'Inactive', due_soon: 'Due soon', invalid: 'Invalid' };
  const severities = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', info: 'Info' };
  const due = (d) => (d < 0 ? `overdue by ${(-d).toLocaleString('en')} day${d === -1 ? '' : 's'}` : d === 0 ? 'due today' : `due in ${d.toLocaleString('en')} day${d === 1 ? '' : 's'}`);
  assert.deepStrictEqual(
    rows.map((r) => [r[0], r[1], r[3], r[4], r[7], r[8], r[11]]),
    expected.findings.map((f) => [
      labels[f.status],
      severities[f.severity],
      f.is_root ? `${f.user} (root)` : f.user,
      String(f.slot),
      f.age_days.toLocaleString('en'),
      due(f.days_until_due),
      String(f.line),
    ]),
  );
  assert.deepStrictEqual([rows[4][0], ...rows[4].slice(2, 4)], ['Fail', '619193117841', 'kaleb']);
  assert.ok(rows.some((r) => /^overdue by [\d,]+ days$/.test(r[8])), 'an overdue key says by how many days');
  assert.equal(await page.textContent('#page-info'), 'Page 1 of 1');
  assert.match(await page.textContent('#chart-caption'), /Ages of 9 keys.*90-day limit, 6 failing/);
  // A bar per bucket of the engine's histogram: a week wide to the limit, then 6 m, 1 y, 2 y, 5 y, 10 y.
  const hist = new Checker([{ name: 'c7n.csv', input: readFileSync(file) }], { asOf: '2016-11-26T00:00:00Z' }).histogram();
  const bars = await page.$$eval('#chart .bar-column', (columns) => columns.map((c) => [c.querySelector('.bar-label').textContent, Number(c.querySelector('.bar').dataset.total)]));
  assert.deepStrictEqual(bars, hist.bins.map((b) => [b.label, b.counts.fail + b.counts.due_soon + b.counts.pass + b.counts.inactive]));
  assert.deepStrictEqual(bars.slice(-5).map(([label]) => label), ['90-180 d', '6 m-1 y', '1-2 y', '2-5 y', '5-10 y']);
  assert.equal(await page.locator('#chart .at-limit').count(), 1, 'the limit is drawn');
  const fits = await page.$eval('#panel-findings .table-wrap', (wrap) => wrap.scrollWidth <= wrap.clientWidth);
  assert.equal(fits, true, 'at 1280 px the table needs no horizontal scrolling');
  await page.screenshot({ path: join(artifacts, 'page-sample.png'), fullPage: true });
  await page.context().close();
});

test("the AWS CLI JSON sample is judged at its GeneratedTime when no time is chosen", async () => {
  const page = await openPage();
  const file = join(samples, 'c7n-placebo-test_iam_user_credential_multi_delete.GetCredentialReport_1.json');
  await upload(page, file);
  const expected = analyze(readFileSync(file));
  assert.equal(expected.as_of_source, 'report');
  assert.match(await page.textContent('#context'), new RegExp(`Judged as of ${expected.as_of} \\(the report's GeneratedTime\\)`));
  assert.match(await page.textContent('#context'), /Input: AWS CLI JSON/);
  assert.equal((await tableRows(page)).length, expected.findings.length);
  await page.context().close();
});

test('a broken file shows its error with line and column, and Lenient recovers it', async () => {
  const page = await openPage();
  await setAsOf(page, '2026-11-26T00:00:00');
  const csv = [
    HEADER,
    csvRow({ user: 'alice', rotated1: '2026-10-01T00:00:00Z' }),
    csvRow({ user: 'bob', rotated1: '2024-13-01T00:00:00Z' }),
  ].join('\n');
  await upload(page, { name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });

  assert.equal(await page.isVisible('#error'), true);
  assert.equal(await page.isVisible('#result'), false, 'no result to keep');
  assert.equal(await page.textContent('#error-title'), 'broken.csv cannot be checked');
  // The place is in Line and Column: the message does not repeat it, and quotes are code, not backticks.
  const message = await page.textContent('#error-message');
  assert.doesNotMatch(message, /^line 3/);
  assert.doesNotMatch(message, /`/);
  assert.ok((await page.locator('#error-message code').count()) > 0, 'the value is quoted as code');
  assert.equal(await page.textContent('#error-code'), 'invalid_timestamp');
  assert.equal(await page.textContent('#error-line'), '3');
  assert.equal(await page.textContent('#error-column'), 'access_key_1_last_rotated');
  assert.equal(await page.textContent('#error-value'), '2024-13-01T00:00:00Z');
  assert.equal(await page.isVisible('#error-hint'), true);
  assert.equal(await page.isVisible('#privacy'), true, 'the page is not blank');
  await page.screenshot({ path: join(artifacts, 'page-error.png') });

  await page.check('#lenient');
  await page.waitForFunction(() => !document.getElementById('result').hidden);
  await page.waitForFunction(() => document.querySelectorAll('#findings-body tr').length === 2);
  assert.equal(await page.isVisible('#error'), false);
  assert.deepStrictEqual(await counts(page), { fail: 0, invalid: 1, due_soon: 0, pass: 1, inactive: 0 });
  assert.match(await page.textContent('#anomalies-summary'), /^1 anomaly/);

  // A bad option is shown the same way, naming the option by its label; the last result stays, dimmed.
  await showOptions(page);
  await page.fill('#max-age', '0');
  await page.locator('#max-age').dispatchEvent('change');
  await page.waitForFunction(() => !document.getElementById('error').hidden);
  assert.equal(await page.textContent('#error-title'), 'The maximum key age cannot be used');
  assert.equal(await page.textContent('#error-message'), 'The maximum key age must be from 1 to 3650, not 0');
  assert.equal(await page.textContent('#error-column'), 'max_age_days');
  assert.equal(await page.getAttribute('#max-age', 'aria-invalid'), 'true');
  assert.equal(await page.textContent('#max-age-error'), 'The maximum key age must be from 1 to 3650, not 0');
  assert.equal(await page.isVisible('#result'), true, 'the last good result is kept');
  assert.equal(await page.getAttribute('#result', 'class'), 'stale');
  assert.equal((await tableRows(page)).length, 2);
  await page.context().close();
});

test('text from the file is never inserted as HTML; the CSV export neutralizes formulas', async () => {
  const page = await openPage();
  await setAsOf(page, '2026-11-26T00:00:00');
  const names = [
    '<img src=x onerror="window.__injected=1">',
    '<script>window.__injected=2</script>',
    '"><svg onload="window.__injected=3"></svg>',
    '=HYPERLINK("http://127.0.0.1/x","y")',
    '+cmd',
    '-2+3',
    '@SUM(A1)',
    '\tTab',
  ];
  const csv = [
    HEADER,
    ...names.map((user, i) =>
      csvRow({ user, account: i === 0 ? '<b>1</b>' : '111122223333', rotated1: '2026-01-01T00:00:00Z' }),
    ),
  ].join('\n');
  await upload(page, { name: 'html.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });

  const injected = await page.evaluate(() => ({
    flag: window.__injected ?? null,
    img: document.querySelectorAll('img').length,
    svg: document.querySelectorAll('svg').length,
    scripts: [...document.querySelectorAll('script')].map((s) => s.getAttribute('src')),
    bold: document.querySelectorAll('b').length,
  }));
  assert.deepStrictEqual(injected, { flag: null, img: 0, svg: 0, scripts: ['app.js'], bold: 0 });
  const users = await page.$$eval('#findings-body td.user', (cells) => cells.map((c) => c.textContent));
  assert.deepStrictEqual(users, names, 'names are shown as written');
  const accounts = await page.$$eval('#filter-account option', (options) => options.map((o) => o.value));
  assert.ok(accounts.includes('<b>1</b>'), 'the account id is an option value, as text');
  await page.locator('#findings-table').screenshot({ path: join(artifacts, 'page-html-names.png') });

  const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const exported = readFileSync(await csvDownload.path(), 'utf8');
  const lines = exported.split('\n');
  assert.match(lines[0], /^source,account_id,user,arn,is_root,slot,status,.*,exempted$/);
  assert.equal(lines.length, names.length + 2, 'a header, a line per finding, and a final newline');
  const userCells = lines.slice(1, -1).map((line) => line.split(',').slice(2).join(','));
  assert.ok(userCells[3].startsWith(`"'=HYPERLINK(""http://127.0.0.1/x"",""y"")"`), userCells[3]);
  assert.ok(userCells[4].startsWith("'+cmd,"), userCells[4]);
  assert.ok(userCells[5].startsWith("'-2+3,"), userCells[5]);
  assert.ok(userCells[6].startsWith("'@SUM(A1),"), userCells[6]);
  assert.ok(userCells[7].startsWith("'\tTab,"), JSON.stringify(userCells[7]));
  assert.ok(lines[1].startsWith('html.csv,<b>1</b>,'), 'the CSV is text: no HTML escaping either');
  assert.match(exported, /,-\d+,/, 'numbers (days_until_due) are not neutralized');
  assert.equal(csvDownload.suggestedFilename(), 'html-findings.csv');
  const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
  const analysis = JSON.parse(readFileSync(await jsonDownload.path(), 'utf8'));
  assert.deepStrictEqual(
    analysis.findings.map((f) => f.user),
    names,
  );
  assert.equal(jsonDownload.suggestedFilename(), 'html-findings.json');

  if (cli) {
    // One dialect per format: each export is the command's output, byte for byte.
    const dir = mkdtempSync(join(tmpdir(), 'keyrot-page-export-'));
    try {
      writeFileSync(join(dir, 'html.csv'), csv);
      for (const [format, extension] of [['csv', 'csv'], ['json', 'json'], ['sarif', 'sarif'], ['junit', 'xml'], ['ocsf', 'ocsf.jsonl']]) {
        const [download] = await Promise.all([page.waitForEvent('download'), page.click(`#export-${format}`)]);
        assert.equal(download.suggestedFilename(), `html-findings.${extension}`);
        const ours = readFileSync(await download.path(), 'utf8');
        const run = spawnSync(cli, ['check', '--format', format, '--as-of', '2026-11-26T00:00:00Z', 'html.csv'], { cwd: dir, encoding: 'utf8' });
        assert.ok([0, 1].includes(run.status), run.stderr);
        assert.equal(ours, run.stdout, `the page's ${format} export is the bytes of keyrot check --format ${format}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  await page.context().close();
});

test('the date box shows and takes UTC, whatever the browser\'s time zone and locale', async () => {
  // Tokyo is UTC+9: a box that showed or read local time would be 9 hours off.
  const context = await browser.newContext({ timezoneId: 'Asia/Tokyo', locale: 'ja-JP' });
  context.on('request', (request) => requests.push(request.url()));
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(`${origin}/`);
  assert.equal(await page.evaluate(() => new Date(Date.UTC(2026, 0, 1)).getHours()), 9, 'the page runs in Tokyo time');
  const shown = await page.inputValue('#as-of');
  assert.match(shown, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'RFC 3339 in UTC, not the locale\'s format');
  assert.ok(Math.abs(Date.parse(shown) - Date.now()) < 120_000, `${shown} is now, in UTC`);

  const judged = async () => (await page.textContent('#context')).match(/^Judged as of (\S+) \(([^)]*)\)/)?.slice(1);
  await page.check('#as-of-fixed');
  await page.fill('#as-of', '2016-11-26');
  await upload(page, join(samples, 'c7n-test_iam_user_unused_keys.csv'));
  assert.deepStrictEqual(await judged(), ['2016-11-26T00:00:00Z', 'the time you chose'], 'a day alone is its midnight, UTC');
  await showOptions(page);

  for (const [typed, asOf] of [
    ['2016-11-26 09:30', '2016-11-26T09:30:00Z'],
    ['2016-11-26T23:59:59Z', '2016-11-26T23:59:59Z'],
  ]) {
    await page.fill('#as-of', typed);
    await page.press('#as-of', 'Tab');
    await page.waitForFunction((want) => document.getElementById('context').textContent.startsWith(`Judged as of ${want} `), asOf);
  }
  await page.fill('#as-of', 'next Tuesday');
  await page.press('#as-of', 'Tab');
  await page.waitForFunction(() => !document.getElementById('error').hidden);
  assert.equal(await page.textContent('#error-code'), 'invalid_as_of');
  assert.equal(await page.textContent('#error-title'), 'The evaluation time cannot be used');
  assert.equal(await page.getAttribute('#as-of', 'aria-invalid'), 'true');
  await context.close();
});

test('the controls are labelled and usable from the keyboard, and the text is readable', async () => {
  const page = await openPage();
  await setAsOf(page, '2016-11-26T00:00:00');
  await upload(page, join(samples, 'c7n-test_iam_user_unused_keys.csv'));

  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea, button')]
      .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || (el.tagName === 'BUTTON' && el.textContent.trim())))
      .map((el) => el.id || el.outerHTML.slice(0, 60)),
  );
  assert.deepStrictEqual(unlabelled, []);

  // After a check the verdict has the focus; the skip link, the first stop
  // of Tab, leads back to it.
  assert.equal(await page.evaluate(() => document.activeElement.id), 'verdict');
  assert.equal(await page.textContent('#skip-link'), 'Skip to the result');
  await page.focus('#skip-link');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'verdict');
  // The options are folded: Change opens them, on the file picker.
  assert.equal(await page.isHidden('#setup'), true);
  await page.click('#setup-change');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'file');
  assert.equal(await page.getAttribute('#setup-change', 'aria-expanded'), 'true');

  // Sort by user with the keyboard.
  await page.focus('th[data-sort="user"] button');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('th[data-sort="user"]').getAttribute('aria-sort') === 'ascending');
  const users = await page.$$eval('#findings-body td.user', (cells) => cells.map((c) => c.textContent));
  assert.deepStrictEqual(users, [...users].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base', numeric: true })));
  // A count is a toggle button that filters the table.
  await page.focus('#counts button[data-status="pass"]');
  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.querySelectorAll('#findings-body tr').length === 2);
  assert.equal(await page.getAttribute('#counts button[data-status="pass"]', 'aria-pressed'), 'true');

  // WCAG AA contrast (4.5:1) for the text people read.
  const contrasts = await measureContrasts(page, [
    '#verdict-title', '#verdict-detail', '.count-value', '.count-label', '.badge', '#findings-body td', '#context', '.privacy', '#status', 'th .sort', '.pick', '.shown',
    '.severity', '#start-here', '#setup-summary-text', '.bar-count', '.bar-label', '.limit-mark', '#chart-caption',
  ]);
  const low = contrasts.filter(([, ratio]) => ratio < 4.5);
  assert.deepStrictEqual(low, []);
  assert.ok(contrasts.length > 20);
  await page.context().close();
});

test('before a check, the first Tab reaches the skip link, which leads to the file picker', async () => {
  const page = await openPage();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'skip-link');
  assert.equal(await page.textContent('#skip-link'), 'Skip to the report input');
  const shown = await page.$eval('#skip-link', (a) => a.getBoundingClientRect().top >= 0);
  assert.equal(shown, true, 'it is on screen while it has the focus');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'file');
  await page.context().close();
});

test('a dropped file and pasted text are checked too', async () => {
  const page = await openPage();
  await setAsOf(page, '2026-11-26T00:00:00');
  const csv = [HEADER, csvRow({ user: 'dropped', rotated1: '2026-01-01T00:00:00Z' })].join('\n');
  const dataTransfer = await page.evaluateHandle((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'dropped.csv', { type: 'text/csv' }));
    return dt;
  }, csv);
  await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer });
  await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('Checked dropped.csv'));
  await page.waitForFunction(() => document.querySelectorAll('#findings-body td.user').length === 1);
  assert.equal(await page.textContent('#findings-body td.user'), 'dropped');
  assert.equal(await page.textContent('#verdict-title'), 'Not compliant');

  await showOptions(page);
  await page.click('.paste summary');
  await page.fill('#paste', [HEADER, csvRow({ user: 'pasted', rotated1: '2026-11-01T00:00:00Z' })].join('\n'));
  await page.click('#paste-check');
  await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('Checked pasted text'));
  await page.waitForFunction(() => document.querySelector('#findings-body td.user')?.textContent === 'pasted');
  assert.equal(await page.textContent('#verdict-title'), 'Compliant');
  await page.context().close();
});

test('200,000 rows: the tab stays responsive, the table answers sort, filter and paging, and the plan is made', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyrot-large-'));
  try {
    const file = join(dir, 'large-200000.csv');
    writeLargeReport(file, 200_000);
    // The plan first, keeping only what is compared: a plan made while a
    // large analysis is alive in the same heap is several times slower.
    const planned = (() => {
      const { steps } = plan(readFileSync(file), { asOf: '2026-11-26T00:00:00Z' });
      const perStep = {};
      for (const s of steps) perStep[s.step] = (perStep[s.step] ?? 0) + 1;
      const needed = steps.filter((s) => s.needed).length;
      return { total: steps.length, needed, perStep, first: steps.slice(0, 25).map((s) => [s.step, s.user, s.commands]) };
    })();
    const expected = analyze(readFileSync(file), { asOf: '2026-11-26T00:00:00Z' });
    const { summary } = expected;

    const page = await openPage();
    await setAsOf(page, '2026-11-26T00:00:00');
    await page.setInputFiles('#file', file);
    // The engine runs in a worker, so the page runs scripts while it works:
    // a page that checked on its own thread could show "Checking" to no
    // script, or only once it had finished.
    await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('Checking large-200000.csv'), null, {
      timeout: 60_000,
    });
    const whileChecking = await page.evaluate(() => document.getElementById('status').textContent);
    assert.match(whileChecking, /^Checking large-200000\.csv/);
    await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('Checked large-200000.csv'), null, {
      timeout: 240_000,
    });
    await page.waitForFunction(() => document.getElementById('page-info').textContent !== '');
    assert.deepStrictEqual(await counts(page), {
      fail: summary.fail,
      invalid: summary.invalid,
      due_soon: summary.due_soon,
      pass: summary.pass,
      inactive: summary.inactive,
    });
    assert.ok(summary.fail > 0 && summary.pass > 0 && summary.due_soon > 0 && summary.inactive > 0);
    const pages = Math.ceil(expected.findings.length / 100);
    assert.equal(await page.textContent('#page-info'), `Page 1 of ${pages.toLocaleString('en')}`);
    assert.equal((await tableRows(page)).length, 100);
    const top = await page.$eval('#status', (el) => el.getBoundingClientRect().top + window.scrollY);
    await page.screenshot({ path: join(artifacts, 'page-200k-result.png'), fullPage: true, clip: { x: 0, y: top - 8, width: 1280, height: 1150 } });

    // Sort by age, oldest first: the first row is the oldest key.
    const oldest = expected.findings.reduce((m, f) => Math.max(m, f.age_days ?? -Infinity), -Infinity);
    await sortOldestFirst(page, oldest, RESPONDS_WITHIN);

    // Filter by status.
    await page.selectOption('#filter-status', 'fail');
    await page.waitForFunction((n) => document.getElementById('shown').textContent.endsWith(`of ${n} matching the filters.`), summary.fail.toLocaleString('en'), {
      timeout: RESPONDS_WITHIN,
    });
    const statuses = await page.$$eval('#findings-body .badge', (badges) => [...new Set(badges.map((b) => b.textContent))]);
    assert.deepStrictEqual(statuses, ['Fail']);

    // Next page.
    await page.click('#page-next');
    await page.waitForFunction(() => document.getElementById('page-info').textContent.startsWith('Page 2 of '), null, {
      timeout: RESPONDS_WITHIN,
    });
    assert.match(await page.textContent('#shown'), /^Rows 101–200 of /);

    // Filter by user and by account.
    await page.fill('#filter-user', 'user19999');
    await page.waitForFunction(() => document.getElementById('page-info').textContent.startsWith('Page 1 of '), null, {
      timeout: RESPONDS_WITHIN,
    });
    const users = await page.$$eval('#findings-body td.user', (cells) => cells.map((c) => c.textContent));
    const wanted = expected.findings.filter((f) => f.status === 'fail' && f.user.includes('user19999'));
    assert.equal(users.length, Math.min(100, wanted.length));
    assert.ok(users.every((u) => u.includes('user19999')));

    // Filter by account (the status filter still holds).
    await page.fill('#filter-user', '');
    await page.selectOption('#filter-account', '100000000003');
    const inAccount = expected.findings.filter((f) => f.status === 'fail' && f.account_id === '100000000003').length;
    await page.waitForFunction((n) => document.getElementById('shown').textContent.endsWith(`of ${n} matching the filters.`), inAccount.toLocaleString('en'), {
      timeout: RESPONDS_WITHIN,
    });
    const accounts = await page.$$eval('#findings-body tr td:nth-child(3)', (cells) => [...new Set(cells.map((c) => c.textContent))]);
    assert.deepStrictEqual(accounts, ['100000000003']);
    await page.screenshot({ path: join(artifacts, 'page-200k-filtered.png') });

    // The worker makes the plan from the findings it holds, after the
    // table's first page: the verdict then links to the steps needed to pass.
    await page.waitForFunction(() => !document.getElementById('start-here').hidden, null, { timeout: 240_000 });
    assert.equal(await page.textContent('#start-here'), `Start here: ${planned.needed.toLocaleString('en')} steps needed to pass`);
    await page.click('#tab-findings');
    await page.click('th[data-sort="user"] button');
    await page.waitForFunction(() => document.querySelector('th[data-sort="user"]').getAttribute('aria-sort') === 'ascending', null, {
      timeout: RESPONDS_WITHIN,
    });
    await page.click('#tab-plan');
    await page.waitForFunction(() => document.querySelectorAll('#plan-steps > li').length > 0, null, { timeout: 240_000 });
    assert.equal(
      await page.textContent('#plan-status'),
      `${planned.total.toLocaleString('en')} steps, as of 2026-11-26T00:00:00Z: ${planned.needed.toLocaleString('en')} needed to pass, ` +
        `${(planned.total - planned.needed).toLocaleString('en')} clean-up; those needed to pass come first, the most severe first.`,
    );
    const firstSteps = await page.$$eval('#plan-steps > li', (items) =>
      items.map((li) => [li.dataset.step, li.querySelector('.step-user').textContent, [...li.querySelectorAll('.commands.changes code')].map((c) => c.textContent)]),
    );
    assert.deepStrictEqual(firstSteps, planned.first);
    await page.selectOption('#plan-step', 'delete_inactive_key');
    await page.waitForFunction(
      (n) => document.getElementById('plan-shown').textContent === `Steps 1–25 of ${n} matching the filters.`,
      planned.perStep.delete_inactive_key.toLocaleString('en'),
      { timeout: RESPONDS_WITHIN },
    );
    await page.click('#plan-next');
    await page.waitForFunction(() => document.getElementById('plan-info').textContent.startsWith('Page 2 of '), null, { timeout: RESPONDS_WITHIN });
    const steps = await page.$$eval('#plan-steps > li', (items) => [...new Set(items.map((li) => li.dataset.step))]);
    assert.deepStrictEqual(steps, ['delete_inactive_key']);
    await page.context().close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the page makes no request beyond 127.0.0.1, and its policy blocks connections', async () => {
  const page = await openPage();
  await upload(page, join(samples, 'guardian-security-hq-CredentialsReportTest.csv'));
  const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  assert.match(csp, /connect-src 'none'/);
  assert.match(csp, /default-src 'none'/);
  // Even a same-origin fetch is refused, from the page and from the worker.
  const fromPage = await page.evaluate(() => fetch('/index.html').then(() => 'connected', () => 'blocked'));
  assert.equal(fromPage, 'blocked');
  const [worker] = page.workers();
  assert.ok(worker, 'the engine runs in a worker');
  const fromWorker = await worker.evaluate(() => fetch('/index.html').then(() => 'connected', () => 'blocked'));
  assert.equal(fromWorker, 'blocked');
  await page.context().close();

  assert.ok(requests.length > 10, `${requests.length} requests recorded`);
  const elsewhere = requests.filter((url) => !url.startsWith(`${origin}/`) && !/^(blob|data):/.test(url));
  assert.deepStrictEqual(elsewhere, []);
  assert.deepStrictEqual(pageErrors, []);
});
