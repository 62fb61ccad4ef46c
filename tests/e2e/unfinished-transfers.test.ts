import { expect, test } from 'vitest';
import type { Peer } from '../support/browser.ts';
import { chunkStorage } from '../support/chunk-storage.ts';
import { makeFile } from '../support/files.ts';
import { waitForReceivers } from '../support/sender-view.ts';
import { REDRAW_TIMEOUT_MS, saveAndVerify, shareFiles, waitForFraction, waitForRows, receiveLink } from '../support/transfer-flow.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';

const peers = useTransferPeers(1);
const signal = useSignalServer();

const ITEM = '[data-testid="unfinished-transfers"] [data-testid="unfinished-transfer"]';

/** Receives about half of `link`, then closes the receive page and opens the start page in the same browser. */
async function receiveHalfThenLeave(receiver: Peer, link: string): Promise<void> {
  await receiveLink(receiver, link);
  await waitForFraction(receiver, 0.4);
  await receiver.goto('about:blank');
  await receiver.goto(signal.server.url);
  await receiver.waitFor((item) => document.querySelector(item), ITEM, REDRAW_TIMEOUT_MS);
}

const itemText = (peer: Peer): Promise<string[]> =>
  peer.evaluate((item) => [...document.querySelectorAll(item)].map((e) => `${e.getAttribute('data-state')}: ${e.textContent?.replace(/\s+/g, ' ').trim()}`), ITEM);

test('the start page lists a half-received transfer as paused; Continue finishes it intact, Delete removes its bytes', async () => {
  const { sender, receiver, dir } = peers;
  const film = await makeFile(dir, 'film.mkv', 64 * 1024 * 1024);
  const link = await shareFiles(sender, signal.server.url, [film]);
  await receiveHalfThenLeave(receiver, link);

  const [listed, ...others] = await itemText(receiver);
  expect(others).toEqual([]);
  expect(listed).toMatch(/^paused: .*film\.mkv.*Paused · [\d.]+ MB of 67\.1 MB/);
  expect(listed).not.toMatch(/Paused · 67\.1 MB of/);

  // As after a browser restart, which loses sessionStorage: the receiver id kept with the transfer carries on.
  await receiver.evaluate(() => sessionStorage.clear(), undefined);
  await receiver.click(`${ITEM} a`);
  await waitForRows(receiver, 1, 'complete');
  await saveAndVerify(receiver, [film]);
  // The same receiver continued: the sender still shows one device, done.
  await waitForReceivers(sender, ['done']);

  // A second transfer left half-way is deleted from the start page: its OPFS file goes, the finished one stays.
  const notes = await makeFile(dir, 'recordings.zip', 64 * 1024 * 1024);
  await receiveHalfThenLeave(receiver, await shareFiles(sender, signal.server.url, [notes]));
  expect(await itemText(receiver)).toEqual([expect.stringContaining('recordings.zip')]);
  expect((await chunkStorage(receiver)).opfsFiles).toBe(2);
  await receiver.click(`${ITEM} button`);
  await receiver.waitFor((item) => !document.querySelector(item), ITEM, REDRAW_TIMEOUT_MS);
  expect((await chunkStorage(receiver)).opfsFiles).toBe(1);
});
