/**
 * Takes screenshots of every view at desktop and phone size, mid-transfer and
 * finished, the library, the install offers and a share-sheet arrival, so a person can look at what the app shows:
 * `npm run screenshots [-- outDir [locales] [schemes]]`, or `npm run build && npx tsx tests/tools/screenshots.ts …`
 * (it serves the built app with the built signaler). Each language (`en,zh-CN` unless told) and each scheme
 * (`light,dark` unless told) is shot as a device set to them would show it: every browser runs in that language,
 * and the app's theme is left on System. Files are named `<size>-<locale>-<scheme>-…`.
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { launchChromium, type ChromiumPeer } from '../support/chromium.ts';
import { makeFile, scratchDir } from '../support/files.ts';
import { startSignalServer } from '../support/signal-server.ts';
import { shareFiles, TRANSFER_TIMEOUT_MS, waitForFraction, waitForRows } from '../support/transfer-flow.ts';
import { m } from '../../web/src/i18n/messages.ts';
import { isLocale, type Locale } from '../../web/src/i18n/locale.ts';

const outDir = process.argv[2] ?? '.tmp/screenshots';
const locales = (process.argv[3] ?? 'en,zh-CN').split(',');
for (const locale of locales) if (!isLocale(locale)) throw new Error(`no messages in ${locale}`);
const schemes = (process.argv[4] ?? 'light,dark').split(',') as Array<'light' | 'dark'>;
const viewports = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };

await mkdir(outDir, { recursive: true });
const dir = await scratchDir();
const files = [
  await makeFile(dir, 'holiday-video.mp4', 24 * 1024 * 1024),
  await makeFile(dir, '你好世界 notes.txt', '传输测试\n'),
  await makeFile(dir, 'report-final-v3.pdf', 300_000),
];
const talk = await makeFile(dir, 'conference-talk.mp4', 64 * 1024 * 1024);
const server = await startSignalServer();
try {
  for (const [size, viewport] of Object.entries(viewports)) for (const locale of locales) for (const scheme of schemes) {
    const name = `${size}-${locale}-${scheme}`;
    // The buttons and alerts waited for, found by what they say in the browsers' language.
    const say = { locale: locale as Locale };
    const launch = async (): Promise<ChromiumPeer> => {
      const peer = await launchChromium({ viewport, locale });
      await peer.page.emulateMedia({ colorScheme: scheme });
      return peer;
    };
    const sender = await launch();
    const receiver = await launch();
    try {
      await sender.page.goto(server.url);
      await sender.page.screenshot({ path: join(outDir, `${name}-send-empty.png`), fullPage: true });
      const link = await shareFiles(sender, server.url, files);
      await sender.page.screenshot({ path: join(outDir, `${name}-send-waiting.png`), fullPage: true });
      await receiver.page.goto(link);
      // The offer, before anything is stored: names, sizes, total and the code, with Accept and Decline.
      await receiver.page.getByTestId('accept').waitFor({ timeout: TRANSFER_TIMEOUT_MS });
      await receiver.page.screenshot({ path: join(outDir, `${name}-receive-consent.png`), fullPage: true });
      await sender.page.screenshot({ path: join(outDir, `${name}-send-asking.png`), fullPage: true });
      await receiver.page.getByTestId('accept').click();
      // Mid-transfer with some bytes stored: the first chunk is drawn before its batch is committed.
      await receiver.page.waitForFunction(
        () =>
          document.querySelector('[data-testid="file-row"][data-state="receiving"]') !== null &&
          !document.querySelector('[data-testid="overall-progress"]')?.textContent?.trim().startsWith('0 B'),
      );
      await receiver.page.screenshot({ path: join(outDir, `${name}-receive-progress.png`), fullPage: true });
      await waitForRows(receiver, files.length, 'complete');
      await receiver.page.screenshot({ path: join(outDir, `${name}-receive-done.png`), fullPage: true });
      await sender.page.waitForSelector('[data-testid="receiver-row"][data-state="done"]');
      await sender.page.screenshot({ path: join(outDir, `${name}-send-done.png`), fullPage: true });
      // A second device without room: it pauses, and the sender shows it waiting.
      const full = await launch();
      try {
        const cdp = await full.context.newCDPSession(full.page);
        await cdp.send('Storage.overrideQuotaForOrigin', { origin: server.url, quotaSize: 2 * 1024 * 1024 });
        await full.page.goto(link);
        await full.page.getByTestId('accept').click();
        await full.page.getByRole('button', { name: m.try_again({}, say) }).waitFor();
        await full.page.screenshot({ path: join(outDir, `${name}-receive-paused.png`), fullPage: true });
        await sender.page.waitForSelector('[data-testid="receiver-row"][data-state="paused"]');
        await sender.page.screenshot({ path: join(outDir, `${name}-send-paused.png`), fullPage: true });
      } finally {
        await full.close();
      }
      // A visitor with a damaged link is refused at both ends; then a share with a password asks for it.
      const visitor = await launch();
      try {
        await visitor.page.goto(link.replace(/#k=.*$/, '#k=AAAAAAAAAAAAAAAAAAAAAA'));
        await visitor.page.getByRole('alert').filter({ hasText: m.refused_proof({}, say) }).waitFor();
        await visitor.page.screenshot({ path: join(outDir, `${name}-receive-refused.png`), fullPage: true });
        await sender.page.waitForSelector('[data-testid="receiver-row"][data-state="refused"]');
        await sender.page.screenshot({ path: join(outDir, `${name}-send-refused.png`), fullPage: true });
        const protectedLink = await shareFiles(sender, server.url, files.slice(1));
        await sender.page.getByRole('button', { name: m.add_password({}, say) }).click();
        await sender.page.getByTestId('share-password').fill('blue-otter-42');
        await sender.page.getByRole('button', { name: m.set({}, say) }).click();
        await sender.page.screenshot({ path: join(outDir, `${name}-send-password.png`), fullPage: true });
        await visitor.page.goto(protectedLink);
        await visitor.page.getByTestId('password').fill('not it');
        await visitor.page.getByRole('button', { name: m.unlock({}, say) }).click();
        await visitor.page.getByRole('alert').filter({ hasText: m.status_wrong_password({}, say) }).waitFor();
        await visitor.page.screenshot({ path: join(outDir, `${name}-receive-password.png`), fullPage: true });
        await visitor.page.getByTestId('password').fill('blue-otter-42');
        await visitor.page.getByRole('button', { name: m.unlock({}, say) }).click();
        await visitor.page.getByTestId('decline').click();
        await visitor.page.getByTestId('declined').waitFor();
        await visitor.page.screenshot({ path: join(outDir, `${name}-receive-declined.png`), fullPage: true });
        await sender.page.waitForSelector('[data-testid="receiver-row"][data-state="declined"]');
        await sender.page.screenshot({ path: join(outDir, `${name}-send-declined.png`), fullPage: true });
      } finally {
        await visitor.close();
      }
      await receiver.page.goto(`${server.url}/r/AAAAAAAAAAAAAAAAAAAAAA#k=BBBBBBBBBBBBBBBBBBBBBB`);
      // A missing room is waited for (ROOM_WAIT_MS) with a status saying the link may have expired.
      await receiver.page.getByRole('status').filter({ hasText: m.status_waiting_for_sender({}, say) }).waitFor();
      await receiver.page.screenshot({ path: join(outDir, `${name}-receive-expired.png`), fullPage: true });
      // The sender's page reloads: its open shares are listed, and a file changed since is refused.
      await sender.page.goto(server.url);
      await sender.page.getByTestId('unfinished-share').first().waitFor();
      await sender.page.screenshot({ path: join(outDir, `${name}-send-unfinished.png`), fullPage: true });
      const changed = await makeFile(await mkdtemp(join(dir, 'changed-')), files[0]!.name, 24 * 1024 * 1024);
      await sender.page.getByTestId('file-input').setInputFiles([changed.path, ...files.slice(1).map((f) => f.path)]);
      await sender.page.getByRole('alert').waitFor();
      await sender.page.screenshot({ path: join(outDir, `${name}-send-refused-pick.png`), fullPage: true });
      // Two downloads left half-way, the first then aged ten days: the start page lists both paused, the old one offered for deletion.
      for (const left of [[talk], [talk, ...files.slice(1)]]) {
        await receiver.page.goto(await shareFiles(sender, server.url, left));
        await receiver.page.getByTestId('accept').click();
        await waitForFraction(receiver, 0.4);
        await receiver.page.goto('about:blank');
      }
      await receiver.page.goto(server.url);
      await receiver.page.evaluate(async () => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open('dropline');
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
        const tx = db.transaction('transfers', 'readwrite');
        const all = tx.objectStore('transfers').getAll();
        all.onsuccess = () => {
          const unfinished = (all.result as Array<{ updatedAt: number; files: string[] }>).filter((r) => r.files.includes('partial'));
          const oldest = unfinished.sort((a, b) => a.updatedAt - b.updatedAt)[0]!;
          tx.objectStore('transfers').put({ ...oldest, updatedAt: oldest.updatedAt - 10 * 24 * 60 * 60 * 1000 });
        };
        await new Promise((resolve, reject) => {
          tx.oncomplete = resolve;
          tx.onerror = () => reject(tx.error);
        });
        db.close();
      });
      await receiver.page.reload();
      await receiver.page.locator('[data-testid="unfinished-transfer"]').nth(1).waitFor();
      await receiver.page.screenshot({ path: join(outDir, `${name}-start-unfinished.png`), fullPage: true });
      // The library: the files received above, ready to save again, with the paused downloads below them.
      await receiver.page.goto(`${server.url}/library`);
      await receiver.page.locator('[data-testid="library-file"] [data-testid="save"]:not([disabled])').first().waitFor();
      await receiver.page.screenshot({ path: join(outDir, `${name}-library.png`), fullPage: true });
      // Files shared to the installed app from the system share sheet: the service worker takes the POST.
      await sender.page.goto(server.url);
      await sender.page.waitForFunction(() => navigator.serviceWorker.controller !== null);
      // The install offers: Chromium's (beforeinstallprompt) as a header button, and iOS Safari's hint.
      await sender.page.getByTestId('install').waitFor();
      await sender.page.screenshot({ path: join(outDir, `${name}-install-offer.png`), fullPage: true });
      const iphone = await sender.context.newPage();
      await iphone.emulateMedia({ colorScheme: scheme });
      const cdp = await sender.context.newCDPSession(iphone);
      await cdp.send('Emulation.setUserAgentOverride', {
        userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1',
      });
      await iphone.goto(server.url);
      await iphone.getByTestId('ios-install-hint').waitFor();
      await iphone.screenshot({ path: join(outDir, `${name}-install-ios-hint.png`), fullPage: true });
      await iphone.close();
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
      await Promise.all([sender.close(), receiver.close()]);
    }
  }
} finally {
  await server.stop();
}
console.log(`screenshots in ${outDir}`);
