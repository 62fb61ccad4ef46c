import { mkdir, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import type { Peer } from '../support/browser.ts';
import { makeFile, type SourceFile } from '../support/files.ts';
import { recordConnections, trafficSeen } from '../support/peer-connections.ts';
import { waitForReceivers } from '../support/sender-view.ts';
import { readShareLink, REDRAW_TIMEOUT_MS, rowSelector, saveAndVerify, shareFiles, waitForAlert, waitForRows } from '../support/transfer-flow.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';

const MiB = 1024 * 1024;
/** The sender's credit window (transfer/sender.ts): the most a resume may send again. */
const WINDOW = 32 * MiB;

/** The receiver waits until its row of `name` shows at least half of the file stored. */
const halfWay = (receiver: Peer, name: string): Promise<void> =>
  receiver.waitFor((selector) => {
    const bar = document.querySelector<HTMLProgressElement>(`${selector} progress`);
    return bar && bar.value / bar.max >= 0.5;
  }, rowSelector(name), 120_000);

/** What the receiver's DataChannels carried beyond the file itself: chunks sent again. */
async function resentBytes(receiver: Peer, file: SourceFile, what: string): Promise<number> {
  const { dataChannelBytesReceived } = await trafficSeen(receiver);
  const resent = dataChannelBytesReceived - file.size;
  console.log(`${what}: ${(resent / MiB).toFixed(1)} MiB re-sent (window ${WINDOW / MiB} MiB)`);
  return resent;
}

const signal = useSignalServer();
const peers = useTransferPeers(1);

test('the sender reloads half-way: another file of the same name and size is refused, the same file continues under the same link, re-sending at most a window', async () => {
  const { sender, receiver, dir } = peers;
  const { server } = signal;
  await recordConnections(receiver);
  const file = await makeFile(dir, 'holiday.mov', 96 * MiB);
  const link = await shareFiles(sender, server.url, [file]);
  await receiver.goto(link);
  await halfWay(receiver, file.name);

  await sender.reload();
  await sender.waitFor(() => document.querySelector('[data-testid="unfinished-share"]')?.textContent?.includes('holiday.mov'), undefined, REDRAW_TIMEOUT_MS);
  // The receiver keeps what it has and waits; its row is not failed.
  expect(await receiver.evaluate((selector) => document.querySelector(selector)?.getAttribute('data-state'), rowSelector(file.name))).toBe('receiving');

  // Same name, same size, even the same modification time: only its bytes differ, and that is enough to refuse it.
  await mkdir(join(dir, 'elsewhere'));
  const impostor = await makeFile(join(dir, 'elsewhere'), file.name, 96 * MiB);
  const { atime, mtime } = await stat(file.path);
  await utimes(impostor.path, atime, mtime);
  await sender.pickFiles([impostor.path]);
  const refusal = await waitForAlert(sender, 'is not the file you shared', REDRAW_TIMEOUT_MS);
  expect(refusal).toContain('holiday.mov');
  expect(await sender.evaluate(() => document.querySelector('[data-testid="share-link"]'), undefined)).toBeNull();

  // The original: the same link again, and the receiver finishes from where it stood, with no click.
  await sender.pickFiles([file.path]);
  await sender.waitFor(() => document.querySelector('[data-testid="share-link"]'), undefined, REDRAW_TIMEOUT_MS);
  expect(await readShareLink(sender)).toBe(link);
  await waitForRows(receiver, 1, 'complete', 120_000);
  await saveAndVerify(receiver, [file]);
  await waitForReceivers(sender, ['done']);
  expect(await resentBytes(receiver, file, 'sender reload, same file picked again')).toBeLessThanOrEqual(WINDOW + MiB);
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
  await receiver.goto(link);
  await halfWay(receiver, file.name);

  await sender.reload();
  const unfinished = sender.page.getByTestId('unfinished-share').filter({ hasText: 'clip.bin' });
  await unfinished.getByRole('button', { name: 'Continue sharing' }).click();
  await sender.waitFor(() => document.querySelector('[data-testid="share-link"]'), undefined, REDRAW_TIMEOUT_MS);
  expect(await readShareLink(sender)).toBe(link);
  await waitForRows(receiver, 1, 'complete', 120_000);
  await saveAndVerify(receiver, [file]);
  expect(await resentBytes(receiver, file, 'sender reload, continued from its file handle')).toBeLessThanOrEqual(WINDOW + MiB);
});
