import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium, type ChromiumPeer } from '../support/chromium.ts';
import { startSignalServer, type RunningServer } from '../support/signal-server.ts';
import { REDRAW_TIMEOUT_MS } from '../support/transfer-flow.ts';

let server: RunningServer;
let browser: ChromiumPeer;

beforeAll(async () => {
  server = await startSignalServer();
  browser = await launchChromium({ viewport: { width: 390, height: 844 } });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

test('where the browser offers to install, the header has an install button that opens its prompt', async () => {
  await browser.goto(server.url);
  // Chromium offers the installable app (beforeinstallprompt) once its manifest and worker check out.
  await browser.page.getByTestId('install').waitFor({ timeout: REDRAW_TIMEOUT_MS });
  expect(await browser.page.getByTestId('ios-install-hint').count()).toBe(0);
  await browser.click('[data-testid="install"]');
  // An offer is good for one prompt: the button goes until the browser offers again.
  await browser.page.getByTestId('install').waitFor({ state: 'detached', timeout: REDRAW_TIMEOUT_MS });
  expect(browser.errors).toEqual([]);
});

test('on iOS Safari, which has no install offer, a hint says how to add the app to the home screen, until dismissed', async () => {
  const cdp = await browser.context.newCDPSession(browser.page);
  await cdp.send('Emulation.setUserAgentOverride', {
    userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1',
  });
  await browser.reload();
  await browser.page.getByTestId('ios-install-hint').waitFor({ timeout: REDRAW_TIMEOUT_MS });
  expect(await browser.page.getByTestId('ios-install-hint').textContent()).toContain('Add to Home Screen');
  await browser.click('[data-testid="ios-install-hint"] button');
  await browser.reload();
  await browser.page.getByTestId('file-input').waitFor({ state: 'attached' });
  expect(await browser.page.getByTestId('ios-install-hint').count()).toBe(0);
});
