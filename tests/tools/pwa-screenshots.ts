/**
 * Screenshots of what the PWA issue added, at desktop and phone size: the library of received files (with the
 * header's install button) and the send view a share-sheet share opens into.
 * `npm run build && npx tsx tests/tools/pwa-screenshots.ts [outDir]`.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { launchChromium } from '../support/chromium.ts';
import { makeFile, scratchDir } from '../support/files.ts';
import { startSignalServer } from '../support/signal-server.ts';
import { shareFiles, waitForRows } from '../support/transfer-flow.ts';

const outDir = process.argv[2] ?? '.tmp/screenshots';
const viewports = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };

await mkdir(outDir, { recursive: true });
const dir = await scratchDir();
const files = [
  await makeFile(dir, 'holiday-video.mp4', 8 * 1024 * 1024),
  await makeFile(dir, '你好世界 notes.txt', '传输测试\n'),
  await makeFile(dir, 'report-final-v3.pdf', 300_000),
];
const server = await startSignalServer();
try {
  for (const [name, viewport] of Object.entries(viewports)) {
    const sender = await launchChromium({ viewport });
    const receiver = await launchChromium({ viewport });
    try {
      await receiver.page.goto(server.url);
      await receiver.page.getByTestId('install').waitFor();
      await receiver.page.goto(await shareFiles(sender, server.url, files));
      await waitForRows(receiver, files.length, 'complete');
      await receiver.page.goto(`${server.url}/library`);
      await receiver.page.locator('[data-testid="library-file"] [data-testid="save"]:not([disabled])').first().waitFor();
      await receiver.page.screenshot({ path: join(outDir, `${name}-library.png`), fullPage: true });

      await sender.page.goto(server.url);
      await sender.page.waitForFunction(() => navigator.serviceWorker.controller !== null);
      const arrival = await sender.page.evaluate(async () => {
        const form = new FormData();
        form.append('files', new File([new Uint8Array(2_400_000)], 'IMG_2041.HEIC', { type: 'image/heic' }));
        form.append('files', new File(['Dinner at eight'], 'plans.txt', { type: 'text/plain' }));
        return (await fetch('/share-target', { method: 'POST', body: form })).url;
      });
      await sender.page.goto(arrival);
      await sender.page.getByTestId('share-link').waitFor();
      await sender.page.screenshot({ path: join(outDir, `${name}-share-target-arrival.png`), fullPage: true });
    } finally {
      await sender.close();
      await receiver.close();
    }
  }
} finally {
  await server.stop();
}
