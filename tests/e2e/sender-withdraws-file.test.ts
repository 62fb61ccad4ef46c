import { expect, test } from 'vitest';
import { makeFile } from '../support/files.ts';
import { waitForReceivers } from '../support/sender-view.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';
import { REDRAW_TIMEOUT_MS, canSave, rowText, saveAndVerify, shareFiles, waitForRow, receiveLink } from '../support/transfer-flow.ts';

const peers = useTransferPeers(1);
const signal = useSignalServer();

test('a file the sender takes back is not sent; the others arrive intact', async () => {
  const { sender, receiver, dir } = peers;
  const keep = await makeFile(dir, 'keep.txt', 'this one goes\n');
  const withdraw = await makeFile(dir, 'private.bin', 3 * 1024 * 1024);
  const link = await shareFiles(sender, signal.server.url, [keep, withdraw]);

  await sender.page.getByRole('button', { name: `Stop sending ${withdraw.name}` }).click();
  await sender.page.getByText('Not sent').waitFor({ timeout: REDRAW_TIMEOUT_MS });
  expect(await sender.page.getByText('Not sent').count()).toBe(1);

  await receiveLink(receiver, link);
  await waitForRow(receiver, withdraw.name, 'failed');
  expect(await rowText(receiver, withdraw.name)).toContain('Cancelled');
  await waitForRow(receiver, keep.name, 'complete');
  await saveAndVerify(receiver, [keep]);
  expect(await canSave(receiver, withdraw.name)).toBe(false);
  await waitForReceivers(sender, ['done']);
});
