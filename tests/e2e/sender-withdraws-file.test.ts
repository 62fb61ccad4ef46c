import { expect, test } from 'vitest';
import { makeFile } from '../support/files.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';
import { saveAndVerify, shareFiles } from '../support/transfer-flow.ts';

const peers = useTransferPeers(1);
const signal = useSignalServer();

test('a file the sender takes back is not sent; the others arrive intact', async () => {
  const { sender, receiver, dir } = peers;
  const keep = await makeFile(dir, 'keep.txt', 'this one goes\n');
  const withdraw = await makeFile(dir, 'private.bin', 3 * 1024 * 1024);
  const link = await shareFiles(sender.page, signal.server.url, [keep, withdraw]);

  await sender.page.getByRole('button', { name: `Stop sending ${withdraw.name}` }).click();
  await expect.poll(() => sender.page.getByText('Not sent').count()).toBe(1);

  await receiver.page.goto(link);
  const rows = receiver.page.getByTestId('file-row');
  await expect.poll(() => rows.filter({ hasText: withdraw.name }).getAttribute('data-state')).toBe('failed');
  expect(await rows.filter({ hasText: withdraw.name }).textContent()).toContain('Cancelled');
  await expect.poll(() => rows.filter({ hasText: keep.name }).getAttribute('data-state')).toBe('complete');
  await saveAndVerify(receiver.page, [keep], dir);
  expect(await rows.filter({ hasText: withdraw.name }).getByTestId('save').isDisabled()).toBe(true);
});
