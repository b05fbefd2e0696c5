// What the browser tests share: the server on 127.0.0.1, headless Chromium
// launched as this machine allows (Debian's /usr/bin/chromium, no background
// networking), the report header, and the folder for screenshots.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';

export const wasmDir = fileURLToPath(new URL('../../', import.meta.url));
export const artifacts = join(wasmDir, 'test-artifacts');
mkdirSync(artifacts, { recursive: true });

export { HEADER } from '../cases.mjs';

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
