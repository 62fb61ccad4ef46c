import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchChromium, type ChromiumPeer } from '../support/chromium.ts';
import { startSignalServer, type RunningServer } from '../support/signal-server.ts';

interface Manifest {
  id: string;
  start_url: string;
  display: string;
  icons: Array<{ src: string; sizes: string; purpose?: string }>;
  screenshots: Array<{ form_factor: string }>;
  share_target: { action: string; method: string; enctype: string; params: { files: Array<{ name: string }> } };
  file_handlers: Array<{ action: string }>;
  launch_handler: { client_mode: string };
}

let server: RunningServer;
let browser: ChromiumPeer;

beforeAll(async () => {
  server = await startSignalServer();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the built app as a PWA', () => {
  test('the signaler serves the worker and the manifest uncached, under a CSP that allows both', async () => {
    const [worker, manifest, page] = await Promise.all(['/sw.js', '/manifest.webmanifest', '/'].map((path) => fetch(server.url + path)));
    expect(worker!.status).toBe(200);
    expect(worker!.headers.get('cache-control')).toBe('no-cache');
    expect(worker!.headers.get('content-type')).toMatch(/javascript/);
    expect(manifest!.status).toBe(200);
    expect(manifest!.headers.get('cache-control')).toBe('no-cache');
    expect(manifest!.headers.get('content-type')).toMatch(/^application\/manifest\+json/);
    const csp = page!.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("worker-src 'self'");
    expect(csp).toContain("manifest-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  test('the manifest has a share target, file handlers, a launch handler, 512 px and maskable icons and screenshots', async () => {
    const manifest = (await (await fetch(`${server.url}/manifest.webmanifest`)).json()) as Manifest;
    expect(manifest).toMatchObject({ id: '/', start_url: '/', display: 'standalone' });
    expect(manifest.icons).toContainEqual(expect.objectContaining({ sizes: '512x512', purpose: 'any' }));
    expect(manifest.icons).toContainEqual(expect.objectContaining({ sizes: '192x192' }));
    expect(manifest.icons).toContainEqual(expect.objectContaining({ sizes: '512x512', purpose: 'maskable' }));
    expect(manifest.screenshots.map((s) => s.form_factor).sort()).toEqual(['narrow', 'wide']);
    expect(manifest.share_target).toMatchObject({ method: 'POST', enctype: 'multipart/form-data' });
    expect(manifest.share_target.params.files[0]?.name).toBe('files');
    expect(manifest.file_handlers).toHaveLength(1);
    expect(manifest.launch_handler.client_mode).toBeTruthy();
    // Every icon and screenshot the manifest names is there.
    for (const { src } of [...manifest.icons, ...(manifest.screenshots as unknown as Array<{ src: string }>)]) {
      const response = await fetch(server.url + src);
      expect(response.status, src).toBe(200);
      expect(response.headers.get('content-type'), src).toBe('image/png');
    }
  });

  test('Chromium finds the app installable, and it opens in the send view with no network', async () => {
    const { page, context } = browser;
    await page.goto(server.url);
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: unknown[] };
    expect(installabilityErrors).toEqual([]);
    const { errors } = (await cdp.send('Page.getAppManifest')) as { errors: Array<{ message: string }> };
    expect(errors.map((e) => e.message)).toEqual([]);
    expect(browser.errors).toEqual([]);

    await context.setOffline(true);
    try {
      await page.reload();
      await page.getByTestId('file-input').waitFor({ state: 'attached' });
      await page.getByRole('heading').first().waitFor();
    } finally {
      await context.setOffline(false);
    }
  });
});
