import { expect, test } from 'vitest';
import type { ChromiumPeer } from '../support/chromium.ts';
import { makeFile, sha256OfFile } from '../support/files.ts';
import { REDRAW_TIMEOUT_MS, receiveLink, shareFiles, verificationCodes, waitForRows } from '../support/transfer-flow.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';

const signal = useSignalServer();
const peers = useTransferPeers();

const libraryRow = (name: string): string => `[data-testid="library-file"][data-name=${JSON.stringify(name)}]`;

/** Every file under the app's OPFS folder, with its size. */
const opfsFiles = (peer: ChromiumPeer): Promise<Array<{ path: string; size: number }>> =>
  peer.page.evaluate(async () => {
    const found: Array<{ path: string; size: number }> = [];
    const walk = async (dir: FileSystemDirectoryHandle, prefix: string): Promise<void> => {
      // The async iterator of directory handles is missing from TypeScript's DOM types.
      for await (const [name, handle] of (dir as unknown as AsyncIterable<[string, FileSystemHandle]>)) {
        if (handle.kind === 'directory') await walk(handle as FileSystemDirectoryHandle, `${prefix}${name}/`);
        else found.push({ path: prefix + name, size: (await (handle as FileSystemFileHandle).getFile()).size });
      }
    };
    await walk(await navigator.storage.getDirectory(), '');
    return found;
  });

const usage = (peer: ChromiumPeer): Promise<number> => peer.page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);

test('offline, the app opens and its library saves a received file again intact; deleting one frees its bytes', async () => {
  const { sender, receiver, dir } = peers;
  const { server } = signal;
  const files = [await makeFile(dir, 'holiday photos.bin', 6 * 1024 * 1024), await makeFile(dir, 'notes ✓.txt', 'kept for later\n')];

  // The app loads once with the network, so its service worker has the shell.
  await receiver.goto(server.url);
  await receiver.page.evaluate(async () => void (await navigator.serviceWorker.ready));
  const link = await shareFiles(sender, server.url, files);
  await receiveLink(receiver, link);
  await waitForRows(receiver, files.length, 'complete');
  const [code] = await verificationCodes(receiver);

  // Offline, a page that opens the signaling socket (the reloaded receive view, the send view) is told it cannot.
  peers.expectErrors(receiver, /ERR_INTERNET_DISCONNECTED/);
  await receiver.context.setOffline(true);
  try {
    await receiver.reload();
    await receiver.goto(server.url);
    await receiver.page.getByTestId('file-input').waitFor({ state: 'attached' });
    await receiver.click('[data-testid="library-link"]');
    for (const file of files) await receiver.page.locator(`${libraryRow(file.name)} [data-testid="save"]:not([disabled])`).waitFor({ timeout: REDRAW_TIMEOUT_MS });
    expect(await receiver.page.locator(`${libraryRow(files[0]!.name)} [data-testid="library-code"]`).textContent()).toBe(code);
    for (const file of files) {
      const saved = await receiver.download(`${libraryRow(file.name)} [data-testid="save"]`);
      expect(saved.name).toBe(file.name);
      expect(await sha256OfFile(saved.path)).toBe(file.sha256);
    }

    const big = files[0]!;
    const before = await usage(receiver);
    expect((await opfsFiles(receiver)).filter((f) => f.size === big.size)).toHaveLength(1);
    await receiver.click(`${libraryRow(big.name)} [data-testid="delete"]`);
    await receiver.page.locator(libraryRow(big.name)).waitFor({ state: 'detached', timeout: REDRAW_TIMEOUT_MS });
    expect((await opfsFiles(receiver)).filter((f) => f.size === big.size)).toEqual([]);
    // The browser counts freed bytes when it next updates its usage; it must fall by at least the file's size.
    await receiver.waitFor((limit) => navigator.storage.estimate().then((e) => (e.usage ?? 0) <= limit), before - big.size, REDRAW_TIMEOUT_MS);
    // The other file is still there, and still saves.
    await receiver.reload();
    await receiver.page.locator(`${libraryRow(files[1]!.name)} [data-testid="save"]:not([disabled])`).waitFor({ timeout: REDRAW_TIMEOUT_MS });
    expect(await receiver.page.locator('[data-testid="library-file"]').count()).toBe(1);
  } finally {
    await receiver.context.setOffline(false);
  }
});
