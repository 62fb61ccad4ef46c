/**
 * Rasterizes the app's artwork for the web app manifest with headless Chromium (these machines have no
 * ImageMagick): the icons from their SVG sources in public/icons/, and the install dialog's screenshots (wide
 * and narrow) from the built app's send view. `npm run build && npx tsx tests/tools/pwa-art.ts`; the PNGs are
 * committed, so a build never needs a browser.
 */
import { readFile } from 'node:fs/promises';
import { launchChromium } from '../support/chromium.ts';
import { startSignalServer } from '../support/signal-server.ts';

const icons = [
  { svg: 'public/icons/icon.svg', png: 'public/icons/icon-192.png', size: 192 },
  { svg: 'public/icons/icon.svg', png: 'public/icons/icon-512.png', size: 512 },
  { svg: 'public/icons/icon-maskable.svg', png: 'public/icons/icon-maskable-512.png', size: 512 },
];
const screenshots = [
  { png: 'public/screenshots/send-wide.png', viewport: { width: 1280, height: 800 } },
  { png: 'public/screenshots/send-narrow.png', viewport: { width: 390, height: 844 } },
];

const browser = await launchChromium();
try {
  for (const { svg, png, size } of icons) {
    await browser.page.setViewportSize({ width: size, height: size });
    const source = await readFile(svg, 'utf8');
    await browser.page.setContent(`<style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${source}`);
    await browser.page.screenshot({ path: png, omitBackground: true });
  }
} finally {
  await browser.close();
}

const server = await startSignalServer();
try {
  for (const { png, viewport } of screenshots) {
    const browser = await launchChromium({ viewport });
    try {
      await browser.page.goto(server.url);
      await browser.page.getByTestId('file-input').waitFor({ state: 'attached' });
      await browser.page.screenshot({ path: png });
    } finally {
      await browser.close();
    }
  }
} finally {
  await server.stop();
}
