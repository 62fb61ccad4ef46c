import { mkdir, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { makeFile } from '../support/files.ts';
import { recordConnections } from '../support/peer-connections.ts';
import { MiB, receivedIntact, resentOnThisPage, senderReloads, waitForStored, WINDOW_BYTES } from '../support/resume-scenarios.ts';
import { readShareLink, REDRAW_TIMEOUT_MS, waitForAlert, receiveLink } from '../support/transfer-flow.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';

const signal = useSignalServer();
const peers = useTransferPeers(1);

test('the sender reloads half-way: another file of the same name and size is refused, the same file continues under the same link, re-sending at most a window', async () => {
  const { sender, receiver, dir } = peers;
  const file = await makeFile(dir, 'holiday.mov', 96 * MiB);
  const { resentBytes } = await senderReloads({ sender, receiver, file }, signal.server, async () => {
    // Same name, same size, even the same modification time: only its bytes differ, and that is enough to refuse it.
    await mkdir(join(dir, 'elsewhere'));
    const impostor = await makeFile(join(dir, 'elsewhere'), file.name, file.size);
    const { atime, mtime } = await stat(file.path);
    await utimes(impostor.path, atime, mtime);
    await sender.pickFiles([impostor.path]);
    expect(await waitForAlert(sender, 'is not the file you shared', REDRAW_TIMEOUT_MS)).toContain(file.name);
    expect(await sender.evaluate(() => document.querySelector('[data-testid="share-link"]'), undefined)).toBeNull();
  });
  console.log(`sender reload, same file picked again: ${(resentBytes / MiB).toFixed(1)} MiB re-sent (window ${WINDOW_BYTES / MiB} MiB)`);
  expect(resentBytes).toBeLessThanOrEqual(WINDOW_BYTES + MiB);
});

test('where the browser gives file handles, one click after the reload continues the share from them', async () => {
  const { sender, receiver } = peers;
  const { server } = signal;
  await recordConnections(receiver);
  // Playwright cannot drive the browser's own picker, so it hands over a handle of a file in the origin private
  // file system: a real FileSystemFileHandle, stored, permission-checked and read again by the app as a picked one.
  await sender.addInitScript(() => {
    window.showOpenFilePicker = async () => [await (await navigator.storage.getDirectory()).getFileHandle('clip.bin')];
  });
  await sender.goto(server.url);
  const file = await sender.evaluate(async (size) => {
    const handle = await (await navigator.storage.getDirectory()).getFileHandle('clip.bin', { create: true });
    const writable = await handle.createWritable();
    for (let written = 0; written < size; written += 65_536) await writable.write(crypto.getRandomValues(new Uint8Array(65_536)));
    await writable.close();
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await (await handle.getFile()).arrayBuffer()));
    return { name: 'clip.bin', path: '', size, sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') };
  }, 64 * MiB);
  await sender.page.getByRole('button', { name: 'Choose files', exact: true }).click();
  await sender.waitFor(() => document.querySelector('[data-testid="share-link"]'), undefined, REDRAW_TIMEOUT_MS);
  const link = await readShareLink(sender);
  await receiveLink(receiver, link);
  await waitForStored(receiver, file, 0.5);

  await sender.reload();
  const unfinished = sender.page.getByTestId('unfinished-share').filter({ hasText: 'clip.bin' });
  await unfinished.getByRole('button', { name: 'Continue sharing' }).click();
  await sender.waitFor(() => document.querySelector('[data-testid="share-link"]'), undefined, REDRAW_TIMEOUT_MS);
  expect(await readShareLink(sender)).toBe(link);
  await receivedIntact(receiver, file);
  const { resentBytes } = await resentOnThisPage(receiver, file);
  console.log(`sender reload, continued from its file handle: ${(resentBytes / MiB).toFixed(1)} MiB re-sent (window ${WINDOW_BYTES / MiB} MiB)`);
  expect(resentBytes).toBeLessThanOrEqual(WINDOW_BYTES + MiB);
});
