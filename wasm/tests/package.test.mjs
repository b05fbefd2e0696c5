// The npm package as a user gets it: `npm pack` makes the tarball, which is
// installed (offline: it has no dependencies) into an empty folder, and
// used from there as a dependency named `keyrot`:
// - from Node, as an ES module (`import { analyze } from 'keyrot'`);
// - from a browser bundle: esbuild bundles an entry that imports `keyrot`
//   and its `.wasm` (`keyrot/keyrot_bg.wasm`, as bytes), and headless
//   Chromium runs the bundle;
// - from TypeScript: `tsc --strict` resolves the package's types, with
//   `nodenext` and with `bundler` module resolution.
// Each judges a real sample and must give the golden case's findings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { readCase } from './cases.mjs';

const wasmDir = fileURLToPath(new URL('..', import.meta.url));
const CASE = 'real_guardian_security_hq';
let dir;
let expected;

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  assert.equal(result.status, 0, `${command} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyrot-package-'));
  const c = readCase(CASE);
  expected = c.expected;
  writeFileSync(join(dir, 'report.csv'), c.input);
  writeFileSync(join(dir, 'options.json'), JSON.stringify(c.options));
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], wasmDir))[0];
  const app = join(dir, 'app');
  run('mkdir', ['-p', app], dir);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', join(dir, packed.filename)], app);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('the tarball holds the two builds, their types and the README, nothing else', () => {
  const files = readdirSync(join(dir, 'app/node_modules/keyrot'), { recursive: true }).sort();
  assert.deepStrictEqual(files, [
    'README.md',
    'package.json',
    'pkg',
    'pkg/node',
    'pkg/node/keyrot.d.ts',
    'pkg/node/keyrot.js',
    'pkg/node/keyrot_bg.wasm',
    'pkg/node/keyrot_bg.wasm.d.ts',
    'pkg/node/package.json',
    'pkg/web',
    'pkg/web/keyrot.d.ts',
    'pkg/web/keyrot.js',
    'pkg/web/keyrot_bg.wasm',
    'pkg/web/keyrot_bg.wasm.d.ts',
  ]);
});

test('Node imports the installed package as an ES module', () => {
  const script = `
    import { analyze } from 'keyrot';
    import { readFileSync } from 'node:fs';
    const result = analyze(readFileSync('../report.csv'), JSON.parse(readFileSync('../options.json', 'utf8')));
    process.stdout.write(JSON.stringify(result));
  `;
  writeFileSync(join(dir, 'app/node.mjs'), script);
  const result = JSON.parse(run(process.execPath, ['node.mjs'], join(dir, 'app')));
  assert.deepStrictEqual(result.findings, expected.findings);
  assert.deepStrictEqual(result.summary, expected.summary);
});

test('a browser bundle of the installed package (esbuild) runs in Chromium', async () => {
  const app = join(dir, 'app');
  const report = readFileSync(join(dir, 'report.csv'), 'utf8');
  writeFileSync(
    join(app, 'entry.js'),
    `import { initSync, analyze } from 'keyrot';
     import wasm from 'keyrot/keyrot_bg.wasm';
     initSync({ module: wasm });
     window.result = analyze(${JSON.stringify(report)}, ${readFileSync(join(dir, 'options.json'), 'utf8')});`,
  );
  const esbuild = join(wasmDir, 'node_modules/.bin/esbuild');
  execFileSync(esbuild, ['entry.js', '--bundle', '--format=esm', '--platform=browser', '--loader:.wasm=binary',
    '--outfile=bundle.js', '--log-level=error'], { cwd: app });
  const bundle = readFileSync(join(app, 'bundle.js'), 'utf8');
  assert.doesNotMatch(bundle, /node:fs|require\(/, 'the browser build, not the Node one');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    await page.setContent('<!doctype html><title>bundle</title>');
    await page.addScriptTag({ content: bundle, type: 'module' });
    await page.waitForFunction(() => window.result !== undefined, null, { timeout: 10_000 }).catch(() => {});
    assert.deepStrictEqual(errors, []);
    const result = await page.evaluate(() => window.result);
    assert.deepStrictEqual(result.findings, expected.findings);
  } finally {
    await browser.close();
  }
});

test("TypeScript resolves the installed package's types (nodenext and bundler resolution)", () => {
  const app = join(dir, 'app');
  writeFileSync(
    join(app, 'use.ts'),
    `import { analyze, checkCsv, type Analysis, type Finding, type Status } from 'keyrot';
     const a: Analysis = analyze('user,arn\\n', { asOf: new Date(), maxAgeDays: 30 });
     const f: Finding | undefined = a.findings[0];
     const s: Status | undefined = f?.status;
     const rows: number = checkCsv('user,arn\\n', { only: ['fail'], columns: ['user', 'exempted'] }).csv_rows;
     // @ts-expect-error an unknown option
     analyze('', { maxAgeDay: 30 });
     export { s, rows };`,
  );
  const tsc = join(wasmDir, 'node_modules/typescript/bin/tsc');
  for (const [module, resolution] of [['nodenext', 'nodenext'], ['esnext', 'bundler']]) {
    run(process.execPath, [tsc, '--strict', '--noEmit', '--module', module, '--moduleResolution', resolution,
      '--target', 'es2022', '--lib', 'es2022,dom', 'use.ts'], app);
  }
});
