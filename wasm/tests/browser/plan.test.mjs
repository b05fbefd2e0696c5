// The page's rotation plan, several reports at once, and exemptions, in
// headless Chromium (playwright-core, Debian's /usr/bin/chromium), served on
// 127.0.0.1 by scripts/serve.mjs. The golden cases of testdata/cases are the
// inputs; what the page shows is compared with their expected files and with
// the Node build of the package. Screenshots go to wasm/test-artifacts/.
//
// Run after scripts/build.sh: node --test tests/browser/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HEADER, artifacts, contrasts as measureContrasts, launch, shutdown, showOptions } from './harness.mjs';
import { analyze, plan } from '../../pkg/node/keyrot.js';
import { stepLabel } from '../../www/lib/plan.js';

const cases = fileURLToPath(new URL('../../../testdata/cases/', import.meta.url));

/** A row with one active key, never used: over the limit, its step is `deactivate_unused_key`. */
function overdueRow(user, account = '111122223333') {
  const quoted = /[",\r\n]/.test(user) ? `"${user.replaceAll('"', '""')}"` : user;
  return `${quoted},arn:aws:iam::${account}:user/x,2020-01-01T00:00:00Z,false,N/A,N/A,N/A,false,true,2025-01-01T00:00:00Z,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`;
}

const json = (path) => JSON.parse(readFileSync(join(cases, path), 'utf8'));

let browser;
let origin;
const requests = [];
const pageErrors = [];

let env;
before(async () => {
  env = await launch();
  ({ origin, browser } = env);
});

after(() => shutdown(env));

/** A fresh page; the clipboard may be read and written (as a person's browser would allow). */
async function openPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  context.on('request', (request) => requests.push(request.url()));
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(`${origin}/`);
  return page;
}

async function setAsOf(page, utc) {
  await page.check('#as-of-fixed');
  await page.fill('#as-of', utc);
}

/** Chooses `files` in the picker; waits for "Checked <label>" (or the error) and the table's first page. */
async function check(page, files, label) {
  await page.setInputFiles('#file', files);
  await page.waitForFunction(
    (l) => document.getElementById('status').textContent.startsWith(`Checked ${l}`) || !document.getElementById('error').hidden,
    label,
    { timeout: 30_000 },
  );
  await page.waitForFunction(() => !document.getElementById('error').hidden || document.getElementById('page-info').textContent !== '');
}

/** Waits until the plan view shows its steps (or says there are none, or its error). */
async function planShown(page) {
  await page.waitForFunction(
    () => {
      const panel = document.getElementById('panel-plan');
      return (
        !panel.hidden &&
        !panel.hasAttribute('aria-busy') &&
        (document.querySelectorAll('#plan-steps > li').length > 0 ||
          document.getElementById('plan-status').textContent.startsWith('Nothing') ||
          !document.getElementById('plan-error').hidden)
      );
    },
    null,
    { timeout: 60_000 },
  );
}

async function openPlan(page) {
  await page.click('#tab-plan');
  await planShown(page);
}

/** The steps as the page shows them. */
async function shownSteps(page) {
  return page.$$eval('#plan-steps > li.step', (items) =>
    items.map((li) => ({
      step: li.dataset.step,
      label: li.querySelector('.step-label').textContent,
      user: li.querySelector('.step-user').textContent,
      meta: li.querySelector('.step-meta').textContent,
      reason: li.querySelector('.step-reason').textContent,
      after: li.querySelector('.step-after')?.textContent ?? null,
      notes: [...li.querySelectorAll('.step-notes li')].map((n) => n.textContent),
      checks: [...li.querySelectorAll('.commands.checks code')].map((c) => c.textContent),
      commands: [...li.querySelectorAll('.commands.changes code')].map((c) => c.textContent),
    })),
  );
}

/** What the page should show for `steps` of the package's plan. */
function expectedSteps(steps) {
  return steps.map((s) => ({
    step: s.step,
    label: stepLabel(s.step),
    user: s.is_root ? `${s.user} (root)` : s.user,
    meta: `${s.source ? `${s.source} · ` : ''}account ${s.account_id} · line ${s.line} · step ${s.step}`,
    reason: s.reason,
    after: s.delete_after ? `Delete the key after ${s.delete_after.replace('T', ' ').replace('Z', '')} UTC.` : null,
    notes: s.notes,
    checks: s.checks,
    commands: s.commands,
  }));
}

/**
 * Clicks every Copy button of the plan page in order and returns what each
 * put on the clipboard (emptied before each click, so a click that copies
 * nothing is seen).
 */
async function copyAll(page) {
  const copied = [];
  const buttons = page.locator('#plan-steps button.copy');
  const n = await buttons.count();
  for (let i = 0; i < n; i++) {
    await page.evaluate(() => navigator.clipboard.writeText(''));
    await buttons.nth(i).click();
    await page.waitForFunction((k) => document.querySelectorAll('#plan-steps button.copy')[k].textContent !== 'Copy', i);
    copied.push(await page.evaluate(() => navigator.clipboard.readText()));
  }
  return copied;
}

async function counts(page) {
  return page.$$eval('#counts button', (buttons) =>
    Object.fromEntries(buttons.map((b) => [b.dataset.status, Number(b.querySelector('.count-value').textContent.replaceAll(',', ''))])),
  );
}

async function tableRows(page, selector) {
  return page.$$eval(`${selector} tr`, (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
}

/** The page's screenshot from `selector` down, `height` pixels. */
async function shot(page, selector, name, height = 1000) {
  const top = await page.$eval(selector, (el) => el.getBoundingClientRect().top + window.scrollY);
  await page.screenshot({ path: join(artifacts, name), fullPage: true, clip: { x: 0, y: Math.max(0, top - 8), width: 1280, height } });
}

async function injected(page) {
  return page.evaluate(() => ({
    flag: window.__injected ?? null,
    img: document.querySelectorAll('img').length,
    svg: document.querySelectorAll('svg').length,
    scripts: [...document.querySelectorAll('script')].map((s) => s.getAttribute('src')),
    bold: document.querySelectorAll('b').length,
  }));
}

test('the plan view lists each user\'s next step, and Copy copies exactly the command', async () => {
  const page = await openPage();
  await setAsOf(page, '2026-11-26T00:00:00');
  const file = join(cases, 'plan_one_key_users/input.csv');
  await check(page, file, 'input.csv');
  const golden = json('plan_one_key_users/expected_plan.json');

  // The tabs work from the keyboard: the arrow key selects the plan.
  await page.focus('#tab-findings');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-plan');
  assert.equal(await page.getAttribute('#tab-plan', 'aria-selected'), 'true');
  await planShown(page);
  assert.equal(await page.isVisible('#panel-findings'), false);

  const needed = golden.steps.filter((st) => st.needed).length;
  assert.ok(needed > 0 && needed < 9);
  assert.equal(
    await page.textContent('#plan-status'),
    `9 steps, as of 2026-11-26T00:00:00Z: ${needed} needed to pass, ${9 - needed} clean-up; those needed to pass come first, the most severe first.`,
  );
  assert.deepStrictEqual(await shownSteps(page), expectedSteps(golden.steps));
  assert.deepStrictEqual(
    await page.$$eval('#plan-step option', (options) => options.map((o) => [o.value, o.textContent])),
    [
      ['', 'all (9)'],
      ['deactivate_unused_key', 'Deactivate the unused key (2)'],
      ['create_new_key', 'Create a new key (2)'],
      ['delete_inactive_key', 'Delete the inactive key (2)'],
      ['wait_before_delete', 'Wait before deleting (2)'],
      ['schedule_rotation', 'Schedule the rotation (1)'],
    ],
  );
  // Steps without a command say so.
  assert.deepStrictEqual(
    await page.$$eval('#plan-steps > li', (items) => items.filter((li) => li.querySelector('.no-command')).map((li) => li.dataset.step)),
    ['wait_before_delete', 'wait_before_delete'],
  );

  // Every Copy button puts exactly its command on the clipboard: checks first, then commands.
  const copied = await copyAll(page);
  assert.deepStrictEqual(copied, golden.steps.flatMap((s) => [...s.checks, ...s.commands]));
  assert.equal(copied.length, 22);
  assert.match(await page.textContent('#copy-status'), /^Copied/);
  await shot(page, '.tabs', 'page-plan.png', 1100);

  // A step filter, then the grace period: 10 days make the key used 7 days ago wait.
  await page.selectOption('#plan-step', 'wait_before_delete');
  await page.waitForFunction(() => document.querySelectorAll('#plan-steps > li').length === 2);
  await showOptions(page);
  await page.fill('#grace', '10');
  await page.locator('#grace').dispatchEvent('change');
  await page.waitForFunction(() => document.querySelectorAll('#plan-steps > li').length === 3);
  await planShown(page);
  const graced = plan(readFileSync(file), { asOf: '2026-11-26T00:00:00Z', graceDays: 10 });
  assert.equal(graced.policy.grace_days, 10);
  assert.deepStrictEqual(await shownSteps(page), expectedSteps(graced.steps.filter((s) => s.step === 'wait_before_delete')));
  assert.ok((await shownSteps(page)).some((s) => s.user === 'inactive-used-exactly-grace-ago'), 'the key used exactly the grace ago now waits');
  assert.match(await page.textContent('#context'), /grace before deleting 10 days/);
  await page.context().close();
});

test('without the Clipboard API, Copy selects exactly the command in a text box', async () => {
  const page = await openPage();
  await setAsOf(page, '2026-11-26T00:00:00');
  await check(page, join(cases, 'plan_hostile_user_names/input.csv'), 'input.csv');
  await openPlan(page);
  const command = json('plan_hostile_user_names/expected_plan.json').steps[0].commands[0];
  assert.equal(command, `aws iam update-access-key --user-name 'o'\\''neil' --access-key-id "$ACCESS_KEY_ID" --status Inactive`);

  // The Clipboard API refuses, and so does the older copy command: the text
  // box stays, focused, holding and selecting exactly the command.
  await page.evaluate(() => {
    navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
    document.execCommand = () => false;
  });
  const button = page.locator('#plan-steps > li').first().locator('.commands.changes button.copy');
  await button.click();
  await page.waitForSelector('#plan-steps .copy-fallback');
  const box = await page.$eval('#plan-steps .copy-fallback', (ta) => ({
    value: ta.value,
    selected: ta.value.slice(ta.selectionStart, ta.selectionEnd),
    focused: document.activeElement === ta,
    readOnly: ta.readOnly,
    label: ta.getAttribute('aria-label'),
  }));
  assert.deepStrictEqual(box, {
    value: command,
    selected: command,
    focused: true,
    readOnly: true,
    label: 'The command, selected: press Ctrl+C (or ⌘C) to copy it',
  });
  assert.equal(await button.textContent(), 'Selected');
  assert.match(await page.textContent('#copy-status'), /press Ctrl\+C/);
  await shot(page, '#plan-steps', 'page-plan-copy-fallback.png', 400);

  // With the copy command back, the selected text is copied and the box goes.
  await page.evaluate(() => {
    delete document.execCommand; // the prototype's again
  });
  await button.click();
  await page.waitForFunction(() => !document.querySelector('#plan-steps .copy-fallback'));
  assert.equal(await button.textContent(), 'Copied');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), command);
  await page.context().close();
});

test('hostile user names: nothing is injected, and the copied commands are the core\'s quoted ones', async () => {
  const page = await openPage();
  await setAsOf(page, '2026-11-26T00:00:00');
  const golden = json('plan_hostile_user_names/expected_plan.json');
  await check(page, join(cases, 'plan_hostile_user_names/input.csv'), 'input.csv');
  await openPlan(page);
  assert.deepStrictEqual(await shownSteps(page), expectedSteps(golden.steps));
  // The name with a newline gets no command, and the note says why.
  const evil = (await shownSteps(page)).find((s) => s.user.includes('\n'));
  assert.deepStrictEqual([evil.checks, evil.commands], [[], []]);
  assert.match(evil.notes[0], /control character/);
  assert.deepStrictEqual(await copyAll(page), golden.steps.flatMap((s) => [...s.checks, ...s.commands]));

  // Names holding HTML, in the plan view.
  const names = [
    '<img src=x onerror="window.__injected=1">',
    '<script>window.__injected=2</script>',
    '</code><b>bold</b><code>',
    '"><svg onload="window.__injected=3"></svg>',
  ];
  const csv = `${[HEADER, ...names.map((n) => overdueRow(n))].join('\n')}\n`;
  await check(page, { name: 'html.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) }, 'html.csv');
  await planShown(page);
  await page.waitForFunction(() => document.querySelectorAll('#plan-steps > li').length === 4);
  const expected = plan(csv, { asOf: '2026-11-26T00:00:00Z' });
  assert.deepStrictEqual(await shownSteps(page), expectedSteps(expected.steps));
  assert.deepStrictEqual((await shownSteps(page)).map((s) => s.user), names);
  assert.deepStrictEqual(await copyAll(page), expected.steps.flatMap((s) => [...s.checks, ...s.commands]));
  assert.deepStrictEqual(await injected(page), { flag: null, img: 0, svg: 0, scripts: ['app.js'], bold: 0 });
  await shot(page, '#plan-steps', 'page-plan-hostile.png', 700);
  await page.context().close();
});

test('the access-key list fills in key ids; a broken one is shown as the plan\'s error', async () => {
  const page = await openPage();
  await setAsOf(page, '2026-11-26T00:00:00');
  const golden = json('plan_with_access_key_ids/expected_plan.json');
  await page.setInputFiles('#access-keys-file', join(cases, 'plan_with_access_key_ids/access_keys.json'));
  await page.waitForFunction(() => document.getElementById('access-keys-name').textContent.startsWith('Loaded: access_keys.json'));
  await check(page, join(cases, 'plan_with_access_key_ids/input.csv'), 'input.csv');
  await openPlan(page);
  assert.deepStrictEqual(await shownSteps(page), expectedSteps(golden.steps));
  assert.match(await page.textContent('#plan-status'), /Key ids from access_keys\.json\.$/);
  assert.ok((await copyAll(page)).includes("aws iam delete-access-key --user-name 'deploy' --access-key-id 'AKIAI44QH8DHBEXAMPLE'"));
  const keys = await page.$$eval('#plan-steps > li .step-keys li', (items) => items.map((i) => i.textContent));
  assert.ok(keys.some((k) => k.endsWith('key AKIAI44QH8DHBEXAMPLE')), keys.join('\n'));

  // A list that is not JSON: the plan says why (code, line); the findings stay.
  await page.setInputFiles('#access-keys-file', { name: 'keys.json', mimeType: 'application/json', buffer: Buffer.from('{"AccessKeyMetadata": [') });
  await page.waitForFunction(() => !document.getElementById('plan-error').hidden);
  assert.equal(await page.textContent('#plan-error-title'), 'The rotation plan cannot be made: check the access-key list keys.json');
  assert.equal(await page.textContent('#plan-error-code'), 'invalid_json');
  assert.equal(await page.textContent('#plan-error-line'), '1');
  assert.match(await page.textContent('#plan-error-message'), /the access-key list is not valid JSON/);
  assert.equal(await page.locator('#plan-steps > li').count(), 0);
  assert.equal(await page.isVisible('#verdict'), true);

  // Removed: the commands name "$ACCESS_KEY_ID" again.
  await showOptions(page);
  await page.click('#access-keys-clear');
  await page.waitForFunction(() => document.querySelectorAll('#plan-steps > li').length > 0);
  const plain = plan(readFileSync(join(cases, 'plan_with_access_key_ids/input.csv')), { asOf: '2026-11-26T00:00:00Z' });
  assert.deepStrictEqual(await shownSteps(page), expectedSteps(plain.steps));
  assert.equal(await page.isVisible('#plan-error'), false);
  await page.context().close();
});

test('several reports at once: one verdict, counts per account, the failed file\'s error, the plan per report', async () => {
  const page = await openPage();
  await setAsOf(page, '2026-11-26T00:00:00');
  const dir = join(cases, 'many_reports_one_verdict/inputs');
  const names = ['1-prod.csv', '2-staging.json', '3-prod-again.csv', '4-broken.csv'];
  const expected = json('many_reports_one_verdict/expected.json');
  await check(page, names.map((n) => join(dir, n)), '4 files');

  assert.equal(await page.textContent('#verdict-title'), 'Not compliant');
  assert.match(await page.textContent('#verdict-detail'), /^Over all 3 files checked together \(3 of 4\): .*1 file could not be read and is not in this verdict/);
  const { summary } = expected;
  assert.deepStrictEqual(await counts(page), { fail: summary.fail, invalid: summary.invalid, due_soon: summary.due_soon, pass: summary.pass, inactive: summary.inactive });
  assert.match(await page.textContent('#status'), /^Checked 4 files: 4 keys in 4 rows .* 1 file could not be read\.$/);

  // Counts per account.
  assert.equal(await page.getAttribute('#accounts-box', 'open'), '');
  assert.deepStrictEqual(
    await tableRows(page, '#accounts-body'),
    summary.accounts.map((a) => [
      a.account_id,
      a.compliant ? 'Compliant' : 'Not compliant',
      ...[a.users, a.keys, a.fail, a.invalid, a.due_soon, a.pass, a.inactive, a.exempted, a.oldest_active_key_age_days].map(String),
    ]),
  );
  assert.deepStrictEqual(
    (await tableRows(page, '#accounts-body')).map((r) => r.slice(0, 4)),
    [
      ['111111111111', 'Not compliant', '3', '3'],
      ['222222222222', 'Compliant', '1', '1'],
    ],
  );

  // The files, the broken one with its error.
  const files = await tableRows(page, '#reports-body');
  assert.deepStrictEqual(files.map((r) => r.slice(0, 4)), [
    ['1-prod.csv', 'Not compliant', '2', '1'],
    ['2-staging.json', 'Compliant', '1', '0'],
    ['3-prod-again.csv', 'Compliant', '1', '0'],
    ['4-broken.csv', 'Not read', '—', '—'],
  ]);
  const broken = expected.reports[3].error;
  assert.equal(files[3][8], `missing_columns (line 1)${broken.message}`);
  assert.equal(await page.$eval('#reports-body tr.failed code', (c) => c.textContent), 'missing_columns');

  // The findings name their file; the account and file filters. Sorted by
  // file (ties in each file's order), the rows are analyzeMany's.
  assert.equal(await page.isVisible('#th-source'), true);
  await page.click('th[data-sort="source"] button');
  await page.waitForFunction(() => document.querySelector('th[data-sort="source"]').getAttribute('aria-sort') === 'ascending');
  const rows = await tableRows(page, '#findings-body');
  assert.deepStrictEqual(rows.map((r) => [r[0], r[2], r[3], r[4]]), expected.findings.map((f) => [
    { fail: 'Fail', pass: 'Pass', due_soon: 'Due soon' }[f.status],
    f.source,
    f.account_id,
    f.user,
  ]));
  await page.selectOption('#filter-account', '222222222222');
  await page.waitForFunction(() => document.querySelectorAll('#findings-body tr').length === 1);
  assert.deepStrictEqual((await tableRows(page, '#findings-body')).map((r) => r.slice(2, 5)), [['2-staging.json', '222222222222', 'carol']]);
  await page.selectOption('#filter-account', '111111111111');
  await page.selectOption('#filter-source', '3-prod-again.csv');
  await page.waitForFunction(() => document.querySelectorAll('#findings-body tr').length === 1 && document.querySelector('#findings-body td.user').textContent === 'Alice');
  assert.match(await page.textContent('#shown'), /^Rows 1–1 of 1 matching the filters\.$/);
  await page.selectOption('#filter-source', '');
  await page.selectOption('#filter-account', '');
  await page.waitForFunction(() => document.querySelectorAll('#findings-body tr').length === 4);
  const anomalies = await page.$$eval('#anomaly-list li', (items) => items.map((i) => i.textContent));
  assert.deepStrictEqual(anomalies, expected.anomalies.map((a) => `${a.code} ${a.source} line ${a.line}: ${a.message}`));
  await shot(page, '#status', 'page-many.png', 1300);

  // The export names the file first.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const exported = readFileSync(await download.path(), 'utf8').split('\n');
  assert.match(exported[0], /^source,account_id,user,/);
  assert.ok(exported[1].startsWith('1-prod.csv,111111111111,alice,'));
  assert.equal(download.suggestedFilename(), 'reports-findings.csv');

  // The plan per report: each read file planned, the broken one listed without.
  await openPlan(page);
  assert.deepStrictEqual(await page.$$eval('#plan-reports li', (items) => items.map((i) => i.textContent)), [
    '1-prod.csv: 1 step',
    '2-staging.json: nothing to do',
    '3-prod-again.csv: 1 step',
    '4-broken.csv: not read, no plan (missing_columns, line 1)',
  ]);
  const perFile = names.slice(0, 3).flatMap((n) =>
    plan(readFileSync(join(dir, n)), { asOf: '2026-11-26T00:00:00Z' }).steps.map((s) => ({ ...s, source: n })),
  );
  assert.deepStrictEqual(await shownSteps(page), expectedSteps(perFile));
  assert.deepStrictEqual(await copyAll(page), perFile.flatMap((s) => [...s.checks, ...s.commands]));
  await page.selectOption('#plan-source', '3-prod-again.csv');
  await page.waitForFunction(() => document.querySelectorAll('#plan-steps > li').length === 1);
  assert.equal((await shownSteps(page))[0].user, 'Alice');
  await page.selectOption('#plan-source', '');
  await page.waitForFunction(() => document.querySelectorAll('#plan-steps > li').length === 2);
  await shot(page, '.tabs', 'page-many-plan.png', 900);

  // Several files dropped at once are checked together too.
  const dataTransfer = await page.evaluateHandle(
    ([a, b]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([a], 'a.csv', { type: 'text/csv' }));
      dt.items.add(new File([b], 'b.csv', { type: 'text/csv' }));
      return dt;
    },
    [`${HEADER}\n${overdueRow('one', '333333333333')}\n`, `${HEADER}\n${overdueRow('two', '444444444444')}\n`],
  );
  await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer });
  await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('Checked 2 files'));
  await page.waitForFunction(() => document.querySelectorAll('#reports-body tr').length === 2);
  assert.deepStrictEqual((await tableRows(page, '#accounts-body')).map((r) => r[0]), ['333333333333', '444444444444']);
  await planShown(page);
  await page.waitForFunction(() => document.querySelectorAll('#plan-steps > li').length === 2);
  assert.deepStrictEqual((await shownSteps(page)).map((s) => s.meta.split(' · ')[0]), ['a.csv', 'b.csv']);
  await page.context().close();
});

test('exemptions: exempted keys are marked and keep their status; expired, invalid and unused entries are listed', async () => {
  const page = await openPage();
  await setAsOf(page, '2026-11-26T23:59:59');
  const dir = join(cases, 'exemptions_in_force_expired_and_unused');
  const expected = json('exemptions_in_force_expired_and_unused/expected.json');
  // The exemptions first: they wait for the report.
  await page.setInputFiles('#exemptions-file', join(dir, 'exemptions.toml'));
  await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('Exemptions exemptions.toml loaded'));
  assert.equal(await page.isVisible('#exemptions-clear'), true);
  assert.equal(await page.textContent('#exemptions-name'), 'Loaded: exemptions.toml.');
  await check(page, join(dir, 'input.csv'), 'input.csv');
  await showOptions(page);
  await page.locator('.setup').screenshot({ path: join(artifacts, 'page-extra-files.png') });
  await page.click('th[data-sort="line"] button');
  await page.waitForFunction(() => document.querySelector('th[data-sort="line"]').getAttribute('aria-sort') === 'ascending');

  const { summary } = expected;
  assert.equal(summary.exempted, 3);
  assert.deepStrictEqual(await counts(page), { fail: 6, invalid: 0, due_soon: 0, pass: 0, inactive: 0 });
  assert.equal(await page.textContent('#verdict-title'), 'Not compliant');
  assert.match(await page.textContent('#verdict-detail'), /3 keys exempted/);
  assert.equal(
    await page.textContent('#exemptions-summary'),
    'From exemptions.toml: 3 keys exempted by an entry in force (marked in the findings; they keep their status but do ' +
      'not count against compliance). Entries to look at: 1 expired, 1 invalid, 1 unused.',
  );
  const listed = await page.$$eval('#exemption-anomalies li', (items) => items.map((i) => [i.dataset.code, i.querySelector('.badge').textContent, i.textContent]));
  const labels = { exemption_expired: 'Expired', exemption_invalid: 'Invalid', exemption_unused: 'Unused' };
  assert.deepStrictEqual(listed, expected.anomalies.map((a) => [a.code, labels[a.code], `${labels[a.code]} ${a.message}`]));
  assert.deepStrictEqual(listed.map((l) => l[0]), ['exemption_expired', 'exemption_invalid', 'exemption_unused']);
  assert.equal(await page.isVisible('#anomalies'), false, 'no other anomaly');

  // The marks: the exempted findings, with their (unchanged) status and the exemption.
  const marked = await page.$$eval('#findings-body tr.exempted', (rows) =>
    rows.map((r) => [r.querySelector('.badge').textContent, r.querySelector('td.user').textContent, r.cells[4].textContent, r.querySelector('.exempt-mark').textContent, r.querySelector('.exempt-note').textContent]),
  );
  assert.deepStrictEqual(
    marked,
    expected.findings
      .filter((f) => f.exempted)
      .map((f) => ['Fail', f.user, String(f.slot), 'exempted', `Exempted until ${f.exempted.expires} (owner ${f.exempted.owner}): ${f.exempted.reason}`]),
  );
  assert.deepStrictEqual(marked.map((m) => [m[1], m[2]]), [['legacy-appliance', '1'], ['legacy-printer', '1'], ['expiring-today', '1']]);
  assert.equal(await page.locator('#findings-body tr:not(.exempted) .exempt-mark').count(), 0);
  assert.deepStrictEqual((await tableRows(page, '#accounts-body')).map((r) => [r[0], r[9]]), [['111122223333', '3'], ['444455556666', '0']]);
  await shot(page, '#status', 'page-exemptions.png', 1250);

  // "Show the exempted keys" filters the table to them.
  await page.click('#show-exempted');
  await page.waitForFunction(() => document.querySelectorAll('#findings-body tr').length === 3);
  assert.equal(await page.inputValue('#filter-exempted'), 'yes');
  assert.match(await page.textContent('#shown'), /of 3 matching the filters\.$/);

  // An exemptions file that is not TOML stops the check, naming the file and the line.
  await page.setInputFiles('#exemptions-file', { name: 'bad.toml', mimeType: 'text/plain', buffer: Buffer.from('[[exemption]\naccount = "1"\n') });
  await page.waitForFunction(() => !document.getElementById('error').hidden);
  assert.equal(await page.textContent('#error-title'), 'The exemptions file bad.toml cannot be used');
  assert.equal(await page.textContent('#error-code'), 'invalid_exemptions');
  assert.equal(await page.textContent('#error-line'), '1');
  assert.equal(await page.isVisible('#error-exemptions-hint'), true);
  assert.equal(await page.isVisible('#error-hint'), false);

  // Removed: the same report without exemptions.
  await page.click('#exemptions-clear');
  await page.waitForFunction(() => !document.getElementById('result').hidden);
  await page.waitForFunction(() => document.querySelectorAll('#findings-body tr').length === 6);
  const plain = analyze(readFileSync(join(dir, 'input.csv')), { asOf: '2026-11-26T23:59:59Z' });
  assert.equal(plain.summary.exempted, 0);
  assert.equal(await page.locator('#findings-body .exempt-mark').count(), 0);
  assert.equal(await page.isVisible('#exemptions-box'), false);
  assert.equal(await page.isVisible('#filter-exempted'), false);
  await page.context().close();
});

test('the new controls are labelled and usable from the keyboard, and their text is readable', async () => {
  const page = await openPage();
  await setAsOf(page, '2026-11-26T23:59:59');
  const dir = join(cases, 'exemptions_in_force_expired_and_unused');
  await page.setInputFiles('#exemptions-file', join(dir, 'exemptions.toml'));
  await page.setInputFiles('#access-keys-file', join(cases, 'plan_with_access_key_ids/access_keys.json'));
  await check(page, [join(cases, 'plan_one_key_users/input.csv'), join(dir, 'input.csv')], '2 files');
  await showOptions(page);
  await openPlan(page);

  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea, button')]
      .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || (el.tagName === 'BUTTON' && el.textContent.trim())))
      .map((el) => el.id || el.outerHTML.slice(0, 60)),
  );
  assert.deepStrictEqual(unlabelled, []);
  // Each Copy button is described by its command.
  const described = await page.$$eval('#plan-steps button.copy', (buttons) =>
    buttons.every((b) => document.getElementById(b.getAttribute('aria-describedby'))?.tagName === 'CODE'),
  );
  assert.equal(described, true);

  // The optional file pickers are reachable, and show where the focus is.
  await page.focus('#file');
  const order = [];
  for (let i = 0; i < 12 && order.at(-1) !== 'access-keys-file'; i++) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => document.activeElement.id));
  }
  assert.ok(order.indexOf('exemptions-file') >= 0 && order.indexOf('exemptions-file') < order.indexOf('access-keys-file'), order.join(' '));
  assert.equal(await page.$eval('#access-keys-file + .extra-state .file-button', (l) => getComputedStyle(l).outlineStyle), 'solid');
  assert.deepStrictEqual(await page.$eval('#exemptions-file', (i) => [...i.labels].map((l) => l.textContent)), ['Choose exemptions…']);

  // Tab reaches a Copy button; Enter copies its command.
  await page.focus('#plan-user');
  for (let i = 0; i < 10 && !(await page.evaluate(() => document.activeElement.classList.contains('copy'))); i++) await page.keyboard.press('Tab');
  const command = await page.evaluate(() => document.getElementById(document.activeElement.getAttribute('aria-describedby')).textContent);
  await page.evaluate(() => navigator.clipboard.writeText(''));
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement.textContent === 'Copied');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), command);
  assert.match(command, /^aws iam /);

  // WCAG AA contrast (4.5:1) for the new views' text.
  const contrast = () =>
    measureContrasts(
      page,
      [
        '.tabs [role="tab"]', '.plan-intro', '#plan-status', '#plan-reports li', '.step-label', '.step-user', '.step-meta', '.step-code',
        '.step-reason', '.step-after', '.step-keys li', '.step-notes li', '.step h4', '.command code', 'button.copy', '.no-command',
        '#reports-body td', '#reports-body .badge', '#accounts-body th', '#accounts-body td', '#exemptions-summary',
        '#exemption-anomalies li', '#exemption-anomalies .badge', '.exempt-mark', '.exempt-note', '.extra-title', '.file-button', '.extra-state span',
      ],
      { shownOnly: true }, // what is not shown is not read
    );
  const inPlan = await contrast();
  await page.click('#tab-findings');
  const inFindings = await contrast();
  const all = [...inPlan, ...inFindings];
  assert.deepStrictEqual(all.filter(([, ratio]) => ratio < 4.5), []);
  for (const selector of ['.step-label', '.command code', '.step-notes li', '.exempt-mark', '#exemption-anomalies .badge', '#reports-body td', '#accounts-body td']) {
    assert.ok(all.some(([s]) => s === selector), `${selector} was measured`);
  }
  await page.context().close();
});

test('the plan and the page make no request beyond 127.0.0.1; the worker is held to the policy', async () => {
  const page = await openPage();
  await setAsOf(page, '2026-11-26T00:00:00');
  await check(page, join(cases, 'plan_one_key_users/input.csv'), 'input.csv');
  await openPlan(page);
  const workers = page.workers();
  assert.equal(workers.length, 1, 'one worker holds the findings and makes the plan');
  for (const worker of workers) {
    assert.equal(await worker.evaluate(() => fetch('/index.html').then(() => 'connected', () => 'blocked')), 'blocked');
  }
  await page.context().close();

  assert.ok(requests.length > 10, `${requests.length} requests recorded`);
  const elsewhere = requests.filter((url) => !url.startsWith(`${origin}/`) && !/^(blob|data):/.test(url));
  assert.deepStrictEqual(elsewhere, []);
  assert.deepStrictEqual(pageErrors, []);
});
