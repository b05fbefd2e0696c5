// What the browser tests share: the server on 127.0.0.1, headless Chromium
// launched as this machine allows (Debian's /usr/bin/chromium, no background
// networking), the report header, and the folder for screenshots.
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';

export const wasmDir = fileURLToPath(new URL('../../', import.meta.url));
export const artifacts = join(wasmDir, 'test-artifacts');
mkdirSync(artifacts, { recursive: true });

import { HEADER } from '../cases.mjs';

export { HEADER };

/** Starts the page's server on a free port and the browser. */
export async function launch() {
  const server = await startServer({ port: 0 });
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return { server, origin, browser };
}

/** Stops what `launch` started (either may be missing if it failed). */
export async function shutdown(env) {
  await env?.browser?.close();
  await new Promise((resolve) => (env?.server ? env.server.close(resolve) : resolve()));
}

/**
 * Sorts the findings table by age, oldest first (the first click on Age
 * does), and waits until its first row shows `oldest` days.
 */
export async function sortOldestFirst(page, oldest, timeout) {
  await page.click('th[data-sort="age_days"] button');
  await page.waitForFunction(
    (age) => {
      const th = document.querySelector('th[data-sort="age_days"]');
      const column = [...th.parentElement.children].filter((c) => !c.hidden).indexOf(th);
      const first = document.querySelector('#findings-body tr');
      return th.getAttribute('aria-sort') === 'descending' && first?.cells[column]?.textContent === age;
    },
    oldest.toLocaleString('en'),
    { timeout },
  );
}

/**
 * The WCAG contrast ratio of the text of every element `selectors` match
 * (each selector in turn; `shownOnly`: only elements with a box), against
 * the first opaque background behind it: `[selector, ratio]` pairs, the
 * ratio to two decimals.
 */
export function contrasts(page, selectors, { shownOnly = false } = {}) {
  return page.evaluate(
    ([selectors, shownOnly]) => {
      const rgb = (text) => text.match(/[\d.]+/g).slice(0, 4).map(Number);
      const luminance = ([r, g, b]) => {
        const c = [r, g, b].map((v) => {
          const s = v / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
      };
      const background = (el) => {
        for (let e = el; e; e = e.parentElement) {
          const c = rgb(getComputedStyle(e).backgroundColor);
          if (c.length < 4 || c[3] > 0) return c;
        }
        return [255, 255, 255];
      };
      const out = [];
      for (const selector of selectors) {
        for (const el of document.querySelectorAll(selector)) {
          if (shownOnly && !el.getClientRects().length) continue;
          const [fg, bg] = [luminance(rgb(getComputedStyle(el).color)), luminance(background(el))];
          out.push([selector, Math.round(((Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05)) * 100) / 100]);
        }
      }
      return out;
    },
    [selectors, shownOnly],
  );
}

/** The time every large report is judged at. */
export const LARGE_AS_OF = '2026-11-26T00:00:00Z';

/**
 * Writes a report of `rows` users to `path`, in pieces, shaped like an
 * organisation's: 5,000 users per account (IAM's limit), one run of rows
 * each; every other user has a console password; key 1 active but for every
 * fifth user, rotated from 0 to 399 days and some seconds before
 * `LARGE_AS_OF`, and used (with region and service) by most; key 2 active for
 * every third user. 1,000,000 rows are 224 MB, as AWS writes them.
 */
export function writeLargeReport(path, rows) {
  const asOf = Date.parse(LARGE_AS_OF);
  const day = 86_400_000;
  const iso = (ms) => new Date(ms).toISOString().replace('.000', '');
  const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-west-2'];
  const services = ['s3', 'sts', 'ec2', 'dynamodb', 'lambda'];
  const fd = openSync(path, 'w');
  try {
    let lines = [HEADER];
    for (let i = 0; i < rows; i++) {
      const account = String(100000000000 + Math.floor(i / 5000));
      const created = asOf - (1500 + (i % 700)) * day;
      const password = i % 2 === 0
        ? `true,${iso(asOf - (i % 120) * day - 3_600_000)},${iso(created + 86_400_000)},N/A,${i % 6 === 0}`
        : 'false,N/A,N/A,N/A,false';
      const rotated1Ms = asOf - ((i * 7919) % 400) * day - (i % 86_400) * 1000 - 3_600_000;
      const used1 = i % 7 === 0
        ? 'N/A,N/A,N/A'
        : `${iso(Math.min(asOf - 60_000, rotated1Ms + (i % 30) * day + 60_000))},${regions[i % 4]},${services[i % 5]}`;
      const second = i % 3 === 0;
      const rotated2Ms = asOf - ((i * 104729) % 200) * day - 3_600_000;
      const key2 = second
        ? `true,${iso(rotated2Ms)},${i % 2 === 0 ? `${iso(rotated2Ms + 120_000)},${regions[(i + 1) % 4]},${services[(i + 2) % 5]}` : 'N/A,N/A,N/A'}`
        : 'false,N/A,N/A,N/A,N/A';
      lines.push(
        `user${i},arn:aws:iam::${account}:user/user${i},${iso(created)},${password},` +
          `${i % 5 !== 0},${iso(rotated1Ms)},${used1},${key2},false,N/A,false,N/A`,
      );
      if (lines.length === 10_000) {
        writeSync(fd, `${lines.join('\n')}\n`);
        lines = [];
      }
    }
    if (lines.length) writeSync(fd, `${lines.join('\n')}\n`);
  } finally {
    closeSync(fd);
  }
}

/** The pids of this process's descendants whose command is Chromium's. */
export function chromiumPids() {
  const parents = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), { ppid: Number(rest[1]), comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) });
    } catch {
      // The process ended while being read.
    }
  }
  const ours = (pid) => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = parents.get(p)?.ppid ?? 0, hops++) if (p === process.pid) return true;
    return false;
  };
  return [...parents].filter(([pid, { comm }]) => pid !== process.pid && /chrom/i.test(comm) && ours(pid)).map(([pid]) => pid);
}

/**
 * The memory of Chromium's processes now, in bytes: the sums of their
 * proportional set sizes (PSS: a page shared by n processes counts 1/n in
 * each, so shared libraries count once) and of their RSS, in all, of the
 * renderers (`--type=renderer`), and of the page's renderer: the one running
 * a Web Worker (a thread named `DedicatedWorker`), which holds the page, its
 * scripts and its worker. The other renderers are Chromium's spare process
 * and the browser context's first blank page.
 */
export function chromiumMemory() {
  const sum = { pss: 0, rss: 0, rendererPss: 0, rendererRss: 0, pagePss: 0, pageRss: 0 };
  for (const pid of chromiumPids()) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      const pss = Number(rollup.match(/^Pss:\s+(\d+) kB/m)?.[1] ?? 0) * 1024;
      const rss = Number(rollup.match(/^Rss:\s+(\d+) kB/m)?.[1] ?? 0) * 1024;
      sum.pss += pss;
      sum.rss += rss;
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) {
        sum.rendererPss += pss;
        sum.rendererRss += rss;
        const threads = readdirSync(`/proc/${pid}/task`);
        if (threads.some((t) => readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').startsWith('DedicatedWorker'))) {
          sum.pagePss += pss;
          sum.pageRss += rss;
        }
      }
    } catch {
      // The process ended while being read.
    }
  }
  return sum;
}

/**
 * Opens the options when a check has folded them into their summary line
 * (its Change button), so a test can change them as a person would.
 */
export async function showOptions(page) {
  if (await page.isHidden('#setup')) {
    await page.click('#setup-change');
    await page.waitForSelector('#setup', { state: 'visible' });
  }
}
