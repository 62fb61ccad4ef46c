import { expect, test } from 'vitest';
import { makeFile } from '../support/files.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';
import { saveAndVerify, shareFiles, waitForAlert, waitForRows, receiveLink } from '../support/transfer-flow.ts';

const peers = useTransferPeers(1);
const signal = useSignalServer();

test('a second tab of the same browser opening the same link is told so, and takes over once the first tab is closed', async () => {
  const { sender, receiver, dir } = peers;
  const file = await makeFile(dir, 'report.bin', 3 * 1024 * 1024);
  const link = await shareFiles(sender, signal.server.url, [file]);
  await receiveLink(receiver, link);
  await waitForRows(receiver, 1, 'complete');

  // Both tabs share this browser's storage: the second must not write over the first one's files.
  const second = await receiver.newTab();
  try {
    await second.goto(link);
    await waitForAlert(second, 'Another tab of this browser', 30_000);
    expect(await second.evaluate(() => document.querySelectorAll('[data-testid="file-row"]').length, undefined)).toBe(0);

    // With the first tab gone, a reload picks up what it stored; the file is verified and saved intact.
    await receiver.goto('about:blank');
    await second.reload();
    await waitForRows(second, 1, 'complete');
    await saveAndVerify(second, [file]);
    expect(second.errors).toEqual([]);
    expect(second.downloadCounts).toEqual({ started: 1, clicked: 1 });
  } finally {
    await second.close();
  }
});
