import { expect, test } from 'vitest';
import { chunkStorage } from '../support/chunk-storage.ts';
import { makeFile } from '../support/files.ts';
import { receiverText, waitForReceivers } from '../support/sender-view.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';
import { REDRAW_TIMEOUT_MS, receiveLink, rowText, shareFiles, verificationCodes, waitForFraction, waitForRows } from '../support/transfer-flow.ts';

const peers = useTransferPeers(1);
const signal = useSignalServer();

const NOTHING_STORED = { opfsFiles: 0, indexedDbBatches: 0, transferRecords: 0 };

test('the receiver sees what is offered before anything is stored; declining tells the sender and stores nothing', async () => {
  const { sender, receiver, dir } = peers;
  const files = [await makeFile(dir, 'tax-return.pdf', 2 * 1024 * 1024), await makeFile(dir, '照片 ✓.jpg', 12_345)];
  const link = await shareFiles(sender, signal.server.url, files);
  await receiver.goto(link);
  await receiver.waitFor(() => document.querySelector('[data-testid="accept"]'), undefined, 60_000);

  const offer = await receiver.evaluate(() => document.querySelector('[data-testid="offer"]')?.textContent?.replace(/\s+/g, ' ') ?? '', undefined);
  expect(offer).toContain('2 files');
  expect(offer).toContain('tax-return.pdf');
  expect(offer).toContain('照片 ✓.jpg');
  expect(offer).toContain('2.10 MB');
  expect(offer).toContain('2.11 MB in all');
  expect(offer).toContain('12.3 KB');
  const [shown, seen] = await Promise.all([verificationCodes(sender), verificationCodes(receiver)]);
  expect(seen).toHaveLength(1);
  expect(seen).toEqual(shown);
  expect(await chunkStorage(receiver)).toMatchObject(NOTHING_STORED);
  expect(await receiver.evaluate(() => document.querySelectorAll('[data-testid="file-row"]').length, undefined)).toBe(0);

  await receiver.click('[data-testid="decline"]');
  await waitForReceivers(sender, ['declined'], REDRAW_TIMEOUT_MS);
  expect(await sender.evaluate(() => document.querySelector('[data-testid="receiver-row"]')?.textContent ?? '', undefined)).toContain('Declined by the receiver');
  await receiver.waitFor(() => document.querySelector('[data-testid="declined"]'), undefined, REDRAW_TIMEOUT_MS);
  expect(await chunkStorage(receiver)).toMatchObject(NOTHING_STORED);
});

test('accepted, then cancelled mid-file: the sender is told, every unfinished row ends failed, and what was stored is deleted', async () => {
  const { sender, receiver, dir } = peers;
  const file = await makeFile(dir, 'long-film.mkv', 64 * 1024 * 1024);
  // Files go one after another: this one has not started when the first is cancelled.
  const next = await makeFile(dir, 'credits.srt', 40_000);
  const link = await shareFiles(sender, signal.server.url, [file, next]);
  await receiveLink(receiver, link);
  await waitForFraction(receiver, 0.1);
  await receiver.click('button.cancel-all');
  // `failed`: that file's transfer is over and did not succeed (the row says "cancelled").
  await waitForRows(receiver, 2, 'failed', REDRAW_TIMEOUT_MS);
  expect(await rowText(receiver, file.name)).toContain('cancelled');
  await waitForReceivers(sender, ['cancelled'], REDRAW_TIMEOUT_MS);
  expect(await receiverText(sender)).toContain('Cancelled');
  // Deleting the stored record and bytes runs after the cancel is shown.
  await expect.poll(() => chunkStorage(receiver), { timeout: REDRAW_TIMEOUT_MS }).toMatchObject(NOTHING_STORED);
});
