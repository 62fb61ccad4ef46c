import { createHash } from 'node:crypto';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium, type ChromiumPeer } from '../support/chromium.ts';
import { scratchDir } from '../support/files.ts';
import { startSignalServer, type RunningServer } from '../support/signal-server.ts';
import { REDRAW_TIMEOUT_MS } from '../support/transfer-flow.ts';

let dir: string;
let buildA: string;
let buildB: string;
let browser: ChromiumPeer;
let server: RunningServer | undefined;

/**
 * Build B is the built app with a changed page, as the next release's build is: index.html differs, and the
 * worker's precache list gives it a new revision (workbox's revision is the file's MD5), so the worker's bytes differ.
 */
async function makeBuildB(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true });
  const pagePath = join(to, 'index.html');
  const page = await readFile(pagePath, 'utf8');
  const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
  const pageB = page.replace('<head>', '<head>\n    <meta name="dropline-build" content="B" />');
  await writeFile(pagePath, pageB);
  const workerPath = join(to, 'sw.js');
  const worker = await readFile(workerPath, 'utf8');
  if (!worker.includes(md5(page))) throw new Error('the worker does not list index.html by its MD5 revision');
  await writeFile(workerPath, worker.replace(md5(page), md5(pageB)));
}

beforeAll(async () => {
  dir = await scratchDir();
  buildA = join(dir, 'A');
  buildB = join(dir, 'B');
  await cp('dist', buildA, { recursive: true });
  await makeBuildB('dist', buildB);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('a page of build A shows the update prompt once build B is served, and reloading gives B', async () => {
  server = await startSignalServer({ STATIC_DIR: buildA });
  const { port } = server;
  await browser.goto(server.url);
  await browser.waitFor(() => navigator.serviceWorker.controller !== null, undefined, REDRAW_TIMEOUT_MS);
  expect(await browser.page.getByTestId('update-prompt').count()).toBe(0);

  // The next release, on the same origin.
  await server.stop();
  server = await startSignalServer({ STATIC_DIR: buildB, PORT: String(port) });
  // A navigation makes the browser check the worker (served no-cache): B's installs and waits.
  await browser.reload();
  await browser.page.getByTestId('update-prompt').waitFor({ timeout: REDRAW_TIMEOUT_MS });
  // Until the person chooses, the page still runs A.
  expect(await browser.page.locator('meta[name="dropline-build"]').count()).toBe(0);

  await browser.click('[data-testid="update-prompt"] button');
  await browser.page.locator('meta[name="dropline-build"][content="B"]').waitFor({ state: 'attached', timeout: REDRAW_TIMEOUT_MS });
  await browser.page.getByTestId('file-input').waitFor({ state: 'attached' });
  expect(await browser.page.getByTestId('update-prompt').count()).toBe(0);
});
