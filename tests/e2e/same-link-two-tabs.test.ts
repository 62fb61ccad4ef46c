import { expect, test } from 'vitest';
import { makeFile } from '../support/files.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';
import { saveAndVerify, shareFiles, waitForRows } from '../support/transfer-flow.ts';

const peers = useTransferPeers(1);
const signal = useSignalServer();

test('a second tab of the same browser opening the same link is told so, and takes over once the first tab is closed', async () => {
  const { sender, receiver, dir } = peers;
  const file = await makeFile(dir, 'report.bin', 3 * 1024 * 1024);
  const link = await shareFiles(sender.page, signal.server.url, [file]);
  await receiver.page.goto(link);
  await waitForRows(receiver.page, 1, 'complete');

  // Both tabs share this browser's storage: the second must not write over the first one's files.
  const second = await receiver.context.newPage();
  await second.goto(link);
  await expect.poll(() => second.getByRole('alert').textContent(), { timeout: 30_000 }).toContain('Another tab of this browser');
  expect(await second.getByTestId('file-row').count()).toBe(0);

  // With the first tab gone, a reload picks up what it stored; the file is verified and saved intact.
  await receiver.page.goto('about:blank');
  await second.reload();
  await waitForRows(second, 1, 'complete');
  await saveAndVerify(second, [file], dir);
});
