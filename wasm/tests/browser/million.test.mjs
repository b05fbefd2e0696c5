// The page at 1,000,000 rows (226 MB, generated here, not committed) in
// headless Chromium: the verdict and the counts are the engine's (checkCsv
// in Node over the same file), the table pages, sorts and filters the
// 1,333,334 findings the worker holds, and the plan is made from them.
// Timings are the benchmark's (tests/browser/bench.mjs); the bounds here
// only say "it answers".
//
// Run after scripts/build.sh: node --test tests/browser/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LARGE_AS_OF, artifacts, launch, shutdown, sortOldestFirst, writeLargeReport } from './harness.mjs';
import { Checker, checkCsv } from '../../pkg/node/keyrot.js';

const ROWS = 1_000_000;
/** Generous bounds for "it answers": not benchmarks. */
const CHECKED_WITHIN = 180_000;
const RESPONDS_WITHIN = 30_000;

let env;
let dir;
before(async () => {
  env = await launch();
  dir = mkdtempSync(join(tmpdir(), 'keyrot-million-'));
});

after(async () => {
  await shutdown(env);
  rmSync(dir, { recursive: true, force: true });
});

/** checkCsv over `path` read in pieces, its CSV (of `columns`, of `only`) handed to `line` a line at a time. */
function engine(path, columns, only, line) {
  const fd = openSync(path, 'r');
  let rest = '';
  const decoder = new TextDecoder();
  try {
    const result = checkCsv((buf) => readSync(fd, buf), {
      asOf: LARGE_AS_OF,
      columns,
      only,
      write: (piece) => {
        const lines = (rest + decoder.decode(piece, { stream: true })).split('\n');
        rest = lines.pop();
        lines.forEach(line);
      },
    });
    return result;
  } finally {
    closeSync(fd);
  }
}

test('1,000,000 rows: the verdict and counts are the engine\'s; the table pages, sorts and filters them', async () => {
  const file = join(dir, 'million.csv');
  writeLargeReport(file, ROWS);
  assert.ok(statSync(file).size > 220e6, 'the report is the size AWS writes for a million users');

  // What the engine says, read in pieces (no finding held): the summary,
  // the oldest key, and the failing keys of one account.
  let oldest = -Infinity;
  let header = true;
  const { summary } = engine(file, ['age_days'], ['fail', 'invalid', 'due_soon', 'pass', 'inactive'], (age) => {
    if (header) header = false;
    else if (age !== '') oldest = Math.max(oldest, Number(age));
  });
  let failingIn = -1; // less the header line
  engine(file, ['account_id'], ['fail'], (account) => {
    if (account === 'account_id' || account === '100000000123') failingIn++;
  });
  assert.equal(summary.users, ROWS);
  assert.ok(summary.fail > 0 && summary.pass > 0 && summary.due_soon > 0 && summary.inactive > 0 && failingIn > 0);

  const context = await env.browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${env.origin}/`);
  await page.check('#as-of-fixed');
  await page.fill('#as-of', LARGE_AS_OF);
  await page.setInputFiles('#file', file);
  await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('Checked million.csv'), null, {
    timeout: CHECKED_WITHIN,
  });
  await page.waitForFunction(() => document.getElementById('page-info').textContent !== '');
  const counts = await page.$$eval('#counts button', (buttons) =>
    Object.fromEntries(buttons.map((b) => [b.dataset.status, Number(b.querySelector('.count-value').textContent.replaceAll(',', ''))])),
  );
  assert.deepStrictEqual(counts, {
    fail: summary.fail,
    invalid: summary.invalid,
    due_soon: summary.due_soon,
    pass: summary.pass,
    inactive: summary.inactive,
  });
  assert.equal(await page.textContent('#verdict-title'), 'Not compliant');
  assert.equal(await page.textContent('#page-info'), `Page 1 of ${Math.ceil(summary.keys / 100).toLocaleString('en')}`);
  // Triage order first; sorted by Line, the input order.
  assert.equal(await page.textContent('#sort-note'), 'In triage order: the most severe first, then the furthest overdue, then the oldest.');
  await page.click('th[data-sort="line"] button');
  await page.waitForFunction(() => document.querySelector('th[data-sort="line"]').getAttribute('aria-sort') === 'ascending', null, { timeout: RESPONDS_WITHIN });
  const firstRows = await page.$$eval('#findings-body td.user', (cells) => cells.map((c) => c.textContent));
  assert.deepStrictEqual(firstRows.slice(0, 3), ['user0', 'user0', 'user1'], 'input order: user0 has two keys');

  // Sort by age, oldest first: the first row is the engine's oldest key.
  await sortOldestFirst(page, oldest, RESPONDS_WITHIN);
  // While the worker holds a million findings, the page's own thread answers at once.
  assert.equal(await page.evaluate(() => 1 + 1), 2);

  // Filter by status, then by account too; page through.
  await page.selectOption('#filter-status', 'fail');
  await page.waitForFunction((n) => document.getElementById('shown').textContent.endsWith(`of ${n} matching the filters.`), summary.fail.toLocaleString('en'), {
    timeout: RESPONDS_WITHIN,
  });
  await page.selectOption('#filter-account', '100000000123');
  await page.waitForFunction((n) => document.getElementById('shown').textContent.endsWith(`of ${n} matching the filters.`), failingIn.toLocaleString('en'), {
    timeout: RESPONDS_WITHIN,
  });
  await page.click('#page-last');
  await page.waitForFunction((n) => document.getElementById('page-info').textContent === `Page ${n} of ${n}`, Math.ceil(failingIn / 100).toLocaleString('en'), {
    timeout: RESPONDS_WITHIN,
  });
  const shown = await page.$$eval('#findings-body tr', (rows) => rows.map((r) => [r.cells[2].textContent, r.querySelector('.badge').textContent]));
  assert.equal(shown.length, failingIn % 100 || 100);
  assert.ok(shown.every(([account, status]) => account === '100000000123' && status === 'Fail'), JSON.stringify(shown.slice(0, 3)));
  await page.screenshot({ path: join(artifacts, 'page-1m-filtered.png') });

  // The plan, made from the findings the worker holds: as many steps as
  // the engine makes in Node, filtered and paged.
  const planned = (() => {
    const fd = openSync(file, 'r');
    try {
      const checker = new Checker([{ name: 'million.csv', input: (buf) => readSync(fd, buf) }], { asOf: LARGE_AS_OF });
      const made = checker.makePlan(null);
      checker.free();
      return made;
    } finally {
      closeSync(fd);
    }
  })();
  assert.ok(planned.all > 500_000, `${planned.all} steps`);
  await page.click('#tab-plan');
  await page.waitForFunction(() => document.querySelectorAll('#plan-steps > li').length > 0, null, { timeout: CHECKED_WITHIN });
  assert.equal(
    await page.textContent('#plan-status'),
    `${planned.all.toLocaleString('en')} steps, as of ${LARGE_AS_OF}: ${planned.needed.toLocaleString('en')} needed to pass, ` +
      `${(planned.all - planned.needed).toLocaleString('en')} clean-up; those needed to pass come first, the most severe first.`,
  );
  const [code, n] = planned.counts.at(-1);
  await page.selectOption('#plan-step', code);
  await page.waitForFunction(
    (want) => document.getElementById('plan-shown').textContent === `Steps 1–25 of ${want} matching the filters.`,
    n.toLocaleString('en'),
    { timeout: RESPONDS_WITHIN },
  );
  const steps = await page.$$eval('#plan-steps > li', (items) => [...new Set(items.map((li) => li.dataset.step))]);
  assert.deepStrictEqual(steps, [code]);
  assert.deepStrictEqual(errors, []);
  await context.close();
});
