// The page's "Checks" option (the CIS checks besides key rotation), in
// headless Chromium, against the command: a real sample judged under every
// check, the Check filter and column, the counts per check, the CIS version,
// and the CSV download byte for byte as `keyrot check --rules all --format
// csv` writes it. Needs KEYROT_CLI (the command's path; wasm/ci.sh builds it).
//
// Run after scripts/build.sh: KEYROT_CLI=… node --test tests/browser/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { artifacts, contrasts as measureContrasts, launch, showOptions, shutdown } from './harness.mjs';

const samples = fileURLToPath(new URL('../../../testdata/samples/', import.meta.url));
const SAMPLE = 'guardian-security-hq-CredentialsReportTest.csv';
const AS_OF = '2017-09-01T00:00:00Z';
const cli = process.env.KEYROT_CLI;
const TIMEOUT = 20_000;
const LABELS = { fail: 'Fail', pass: 'Pass', inactive: 'Inactive', due_soon: 'Due soon', invalid: 'Invalid' };

/**
 * `keyrot check` on the sample (run in its folder, so the `source` column
 * holds the file's name, as the page writes it): stdout, as text.
 */
function keyrot(...args) {
  const run = spawnSync(cli, ['check', '--as-of', AS_OF, ...args, SAMPLE], { cwd: samples, encoding: 'utf8' });
  assert.ok([0, 1].includes(run.status), `keyrot check ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

/** What the page's table should show of `findings`: status, check, its CIS number, user, slot. */
function expectedRows(findings) {
  return findings.map((f) => [
    LABELS[f.status],
    f.rule,
    f.cis ? `CIS ${f.cis}` : 'no CIS number',
    f.is_root ? `${f.user} (root)` : f.user,
    f.slot === null ? '—' : String(f.slot),
  ]);
}

/** The table's rows as `expectedRows` writes them (run in the page). */
function tableRows() {
  return [...document.querySelectorAll('#findings-body tr')]
    .filter((r) => !r.querySelector('td.empty'))
    .map((r) => {
      const rule = r.querySelector('td.rule');
      return [
        r.querySelector('.badge').textContent,
        rule?.querySelector('code').textContent ?? null,
        rule?.querySelector('.rule-cis')?.textContent ?? null,
        r.querySelector('td.user').textContent,
        r.cells[5].textContent,
      ];
    });
}

const shownRows = (page) => page.evaluate(tableRows);

/** Waits until the table shows `rows` (and asserts it, for a readable failure). */
async function waitForRows(page, rows, what) {
  // Asked from here: the page's policy forbids evaluating a string in it.
  const want = JSON.stringify(rows);
  for (const until = Date.now() + TIMEOUT; Date.now() < until; await page.waitForTimeout(20)) {
    if (JSON.stringify(await shownRows(page)) === want) break;
  }
  assert.deepStrictEqual(await shownRows(page), rows, what);
}

let env;
const requests = [];
const pageErrors = [];
before(async () => {
  env = await launch();
});
after(() => shutdown(env));

async function openPage() {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
  context.on('request', (request) => requests.push(request.url()));
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(`${env.origin}/`);
  return page;
}

test('every check the report answers: the Check filter, each check\'s findings, the CIS version, and the CSV as keyrot check writes it', { skip: !cli && 'KEYROT_CLI is not set' }, async () => {
  const rotation = JSON.parse(keyrot('--format', 'json'));
  const all = JSON.parse(keyrot('--rules', 'all', '--format', 'json'));
  assert.ok(all.checks.rules.length > 1 && Object.keys(all.summary.rules).length > 1, 'the command judged several checks');

  const page = await openPage();
  await page.check('#as-of-fixed');
  await page.fill('#as-of', AS_OF);
  await page.setInputFiles('#file', join(samples, SAMPLE));
  await page.waitForFunction(() => document.getElementById('page-info').textContent !== '', null, { timeout: TIMEOUT });
  // The table opens in triage order; sorted by Line it is in the report's order, as the command writes it.
  await page.click('th[data-sort="line"] button');
  await page.waitForFunction(() => document.querySelector('th[data-sort="line"]').getAttribute('aria-sort') === 'ascending', null, { timeout: TIMEOUT });

  // The default is the rotation rule alone: no Check column, filter or list.
  assert.equal(await page.inputValue('#rules'), '');
  assert.equal(await page.inputValue('#cis-version'), '');
  assert.equal(await page.isHidden('#th-rule'), true, 'no Check column by default');
  assert.equal(await page.isHidden('#filter-rule-label'), true, 'no Check filter by default');
  assert.equal(await page.isHidden('#rules-box'), true, 'no list per check by default');
  assert.equal(await page.locator('#findings-body td.rule').count(), 0);
  assert.equal(await page.locator('#findings-body tr').count(), rotation.findings.length);
  assert.equal(rotation.findings[0].rule, undefined, 'the command labels nothing by default either');

  // Every check.
  await showOptions(page);
  await page.selectOption('#rules', 'all');
  await page.waitForFunction(() => !document.getElementById('th-rule').hidden, null, { timeout: TIMEOUT });
  await waitForRows(page, expectedRows(all.findings), 'every finding, in the command\'s order');
  assert.match(await page.textContent('#status'), new RegExp(`under ${all.checks.rules.length} checks`));
  assert.equal(await page.textContent('#verdict-title'), all.summary.compliant ? 'Compliant' : 'Not compliant');
  // The counts per status stay those of the keys' rotation.
  const counts = await page.$$eval('#counts button', (buttons) =>
    Object.fromEntries(buttons.map((b) => [b.dataset.status, Number(b.querySelector('.count-value').textContent.replaceAll(',', ''))])),
  );
  const rotated = all.summary.rules.access_key_rotated;
  assert.deepStrictEqual(counts, { fail: rotated.fail, invalid: rotated.invalid, due_soon: rotated.due_soon, pass: rotated.pass, inactive: rotated.inactive });
  assert.equal(counts.fail, rotation.summary.fail);

  // The new controls are labelled, and their text is readable (WCAG AA, 4.5:1).
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea, button')]
      .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || (el.tagName === 'BUTTON' && el.textContent.trim())))
      .map((el) => el.id || el.outerHTML.slice(0, 60)),
  );
  assert.deepStrictEqual(unlabelled, []);
  const contrasts = await measureContrasts(page, ['.rule-count code, .rule-cis, .rule-tally, #rules-heading, td.rule code']);
  assert.ok(contrasts.length > 20, `${contrasts.length} texts measured`);
  assert.deepStrictEqual(contrasts.filter(([, ratio]) => ratio < 4.5), []);

  // The Check filter lists the rules judged, with their findings.
  const options = await page.$$eval('#filter-rule option', (os) => os.map((o) => [o.value, o.textContent]));
  assert.deepStrictEqual(
    options.map(([value]) => value),
    ['', ...all.checks.rules],
  );
  for (const [value, text] of options.slice(1)) {
    assert.match(text, new RegExp(`^${value}\\b.*\\(${all.summary.rules[value]?.findings ?? 0}\\)$`), text);
  }
  assert.equal(options[0][1], `all (${all.findings.length})`);

  // The list per check: each one's failures, as the command counts them.
  const listed = await page.$$eval('#rule-counts button', (buttons) => buttons.map((b) => [b.dataset.rule, b.querySelector('.rule-tally').textContent]));
  assert.deepStrictEqual(listed.map(([rule]) => rule), all.checks.rules);
  for (const [rule, tally] of listed) {
    const c = all.summary.rules[rule] ?? { fail: 0, findings: 0 };
    assert.match(tally, new RegExp(`^${c.fail} fail\\b.* of ${c.findings} findings?$`), `${rule}: ${tally}`);
  }

  // Filtering by each rule shows exactly that rule's findings.
  const judged = all.checks.rules.filter((rule) => all.summary.rules[rule]?.findings);
  assert.ok(judged.length >= 5, `${judged.length} checks with findings`);
  for (const rule of judged) {
    const want = all.findings.filter((f) => f.rule === rule);
    await page.selectOption('#filter-rule', rule);
    await waitForRows(page, expectedRows(want), rule);
    assert.equal(await page.textContent('#shown'), `Rows 1–${want.length} of ${want.length} matching the filters.`);
    const users = await page.$$eval('#findings-body td.user', (cells) => cells.map((c) => c.textContent));
    assert.deepStrictEqual(users, want.map((f) => (f.is_root ? `${f.user} (root)` : f.user)), `${rule}: the users`);
    assert.equal(want.length, all.summary.rules[rule].findings);
  }
  await page.selectOption('#filter-rule', 'access_key_unused');
  await waitForRows(page, expectedRows(all.findings.filter((f) => f.rule === 'access_key_unused')), 'access_key_unused again');
  const widths = await page.$eval('#panel-findings .table-wrap', (wrap) => [wrap.scrollWidth, wrap.clientWidth]);
  assert.ok(widths[0] <= widths[1], `at 1280 px the table with its Check column needs no horizontal scrolling (${widths})`);
  await page.screenshot({ path: join(artifacts, 'page-checks.png'), fullPage: true });

  // A check's entry under Per check shows its failures; a count per status shows the rotation rule's keys.
  const failing = judged.find((rule) => rule !== 'access_key_rotated' && all.summary.rules[rule].fail > 0);
  await page.click(`#rule-counts button[data-rule="${failing}"]`);
  await waitForRows(page, expectedRows(all.findings.filter((f) => f.rule === failing && f.status === 'fail')), `${failing}: its failures`);
  assert.equal(await page.getAttribute(`#rule-counts button[data-rule="${failing}"]`, 'aria-pressed'), 'true');
  assert.equal(await page.inputValue('#filter-rule'), failing);
  await page.click('#counts button[data-status="fail"]');
  await waitForRows(page, expectedRows(all.findings.filter((f) => f.rule === 'access_key_rotated' && f.status === 'fail')), 'the rotation rule\'s failing keys');
  assert.equal((await shownRows(page)).length, counts.fail);
  assert.equal(await page.getAttribute('#counts button[data-status="fail"]', 'aria-pressed'), 'true');

  // The CSV download of every finding is the command's bytes.
  await page.selectOption('#filter-status', '');
  await page.selectOption('#filter-rule', '');
  await waitForRows(page, expectedRows(all.findings), 'every finding again');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  assert.equal(download.suggestedFilename(), 'guardian-security-hq-CredentialsReportTest-findings.csv');
  const csv = readFileSync(await download.path(), 'utf8');
  assert.equal(csv, keyrot('--rules', 'all', '--format', 'csv'), 'the page\'s CSV is the bytes of keyrot check --rules all --format csv');
  assert.match(csv.split('\n')[0], /,rule,cis,severity$/);

  // Another CIS version renumbers the findings, as the command does.
  const v14 = JSON.parse(keyrot('--rules', 'all', '--cis-version', 'v1.4.0', '--format', 'json'));
  await page.selectOption('#cis-version', 'v1.4.0');
  await page.waitForFunction(() => document.getElementById('rules-heading').textContent === 'Per check (CIS v1.4.0)', null, { timeout: TIMEOUT });
  await waitForRows(page, expectedRows(v14.findings), 'the findings numbered as in v1.4.0');
  assert.notDeepStrictEqual(expectedRows(v14.findings), expectedRows(all.findings), 'v1.4.0 numbers differ from the newest');

  // Back to the default: rotation alone, unlabelled, the same options skipped.
  await page.selectOption('#rules', '');
  await page.selectOption('#cis-version', '');
  await page.waitForFunction(() => document.getElementById('th-rule').hidden, null, { timeout: TIMEOUT });
  await page.waitForFunction((n) => document.querySelectorAll('#findings-body tr').length === n && !document.querySelector('#findings-body td.rule'), rotation.findings.length, {
    timeout: TIMEOUT,
  });
  assert.equal(await page.isHidden('#filter-rule-label'), true);
  assert.equal(await page.isHidden('#rules-box'), true);
  const [again] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  assert.equal(readFileSync(await again.path(), 'utf8'), keyrot('--format', 'csv'), 'rotation only: the command\'s default CSV');
  await page.context().close();

  const elsewhere = requests.filter((url) => !url.startsWith(`${env.origin}/`) && !/^(blob|data):/.test(url));
  assert.deepStrictEqual(elsewhere, []);
  assert.deepStrictEqual(pageErrors, []);
});
