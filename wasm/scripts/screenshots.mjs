// Writes the screenshots the README shows, into docs/ at the repository
// root: the page's result, plan and error states (a real sample, judged at a
// fixed time, 1280x900) and the HTML report of `keyrot check --format html`
// (as the page's "Download report" writes it). Run after scripts/build.sh,
// from wasm/: node scripts/screenshots.mjs
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launch, shutdown } from '../tests/browser/harness.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const docs = join(root, 'docs');
const samples = join(root, 'testdata/samples');
mkdirSync(docs, { recursive: true });

const env = await launch();
const scratch = mkdtempSync(join(tmpdir(), 'keyrot-shots-'));
try {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${env.origin}/`);
  await page.check('#as-of-fixed');
  await page.fill('#as-of', '2016-11-26');
  await page.setInputFiles('#file', join(samples, 'c7n-test_iam_user_unused_keys.csv'));
  await page.waitForFunction(() => document.getElementById('page-info').textContent !== '' && !document.getElementById('start-here').hidden);
  await page.screenshot({ path: join(docs, 'page-result.png') });

  await page.click('#tab-plan');
  await page.waitForFunction(() => document.querySelectorAll('#plan-steps > li').length > 0);
  const top = await page.$eval('.tabs', (el) => el.getBoundingClientRect().top + window.scrollY);
  await page.screenshot({ path: join(docs, 'page-plan.png'), fullPage: true, clip: { x: 0, y: top - 8, width: 1280, height: 900 } });

  // A date typo: the box marked, the reason beside it and in the error, the last result kept, dimmed.
  await page.click('#tab-findings');
  await page.click('#setup-change');
  await page.fill('#as-of', '26/11/2016');
  await page.press('#as-of', 'Tab');
  await page.waitForFunction(() => !document.getElementById('error').hidden);
  const from = await page.$eval('#options', (el) => el.getBoundingClientRect().top + window.scrollY);
  await page.screenshot({ path: join(docs, 'page-error.png'), fullPage: true, clip: { x: 0, y: from - 60, width: 1280, height: 900 } });
  await context.close();

  // The HTML report of every check on another sample, as the page downloads it, opened on its own.
  const check = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const second = await check.newPage();
  await second.goto(`${env.origin}/`);
  await second.check('#as-of-fixed');
  await second.fill('#as-of', '2017-09-01');
  await second.selectOption('#rules', 'all');
  await second.setInputFiles('#file', join(samples, 'guardian-security-hq-CredentialsReportTest.csv'));
  await second.waitForFunction(() => document.getElementById('page-info').textContent !== '');
  const [download] = await Promise.all([second.waitForEvent('download'), second.click('#download-report')]);
  const report = join(scratch, 'report.html');
  writeFileSync(report, readFileSync(await download.path()));
  const opened = await check.newPage();
  await opened.goto(pathToFileURL(report).href);
  await opened.screenshot({ path: join(docs, 'report.png') });
  await check.close();
  console.log(`wrote ${['page-result', 'page-plan', 'page-error', 'report'].map((n) => `docs/${n}.png`).join(', ')}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
  await shutdown(env);
}
