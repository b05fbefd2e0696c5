// Runs the README's first example through the package's own name (`keyrot`,
// resolved by package.json "exports") and checks what it prints against the
// `// ` lines that follow each console.log in the example.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

test('the README example prints what the README says', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const example = readme.match(/```js\n([\s\S]*?)```/)[1];
  // Expected output: a `// x` comment closing a console.log line, and the
  // comment lines right after one.
  const expected = [];
  let afterLog = false;
  for (const line of example.split('\n')) {
    const trailing = line.match(/console\.log\(.*\);\s*\/\/ (.*)$/);
    const own = line.match(/^\/\/ (.*)$/);
    if (trailing) expected.push(trailing[1]);
    else if (own && afterLog) expected.push(own[1]);
    afterLog = line.includes('console.log') || (afterLog && own !== null);
  }
  assert.ok(expected.length >= 3, `found ${expected.length} expected lines`);

  // Inside wasm/, so `import 'keyrot'` resolves to this package itself.
  const dir = new URL('../test-artifacts/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = fileURLToPath(new URL('readme-example.mjs', dir));
  writeFileSync(file, example);
  const run = spawnSync(process.execPath, [file], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.deepStrictEqual(run.stdout.trimEnd().split('\n'), expected);
});
