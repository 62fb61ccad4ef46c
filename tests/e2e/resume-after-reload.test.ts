import { expect, test } from 'vitest';
import { makeFile } from '../support/files.ts';
import { recordConnections, trafficSeen } from '../support/peer-connections.ts';
import { waitForReceivers } from '../support/sender-view.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';
import { rowSelector, saveAndVerify, shareFiles, waitForRows } from '../support/transfer-flow.ts';

const MiB = 1024 * 1024;
/** The sender's credit window (transfer/sender.ts): the most a resume may send again. */
const WINDOW = 32 * MiB;

const peers = useTransferPeers(1);
const signal = useSignalServer();

test('a receiver that reloads at about half-way continues from what it stored, re-sending at most a window, under the same row', async () => {
  const { sender, receiver, dir } = peers;
  await recordConnections(receiver);
  const file = await makeFile(dir, 'reloaded-halfway.bin', 96 * MiB);
  const link = await shareFiles(sender, signal.server.url, [file]);
  await receiver.goto(link);
  await receiver.waitFor((selector) => {
    const bar = document.querySelector<HTMLProgressElement>(`${selector} progress`);
    return bar && bar.value / bar.max >= 0.5;
  }, rowSelector(file.name), 120_000);

  const storedAtReload = await receiver.evaluate((selector) => document.querySelector<HTMLProgressElement>(`${selector} progress`)!.value, rowSelector(file.name));
  await receiver.reload();
  // The reloaded page picks up what was stored, and the sender continues the same transfer: one row, delivered.
  await waitForRows(receiver, 1, 'complete');
  await saveAndVerify(receiver, [file]);
  await waitForReceivers(sender, ['done']);
  // Counted by the reloaded page only (its recorder started afresh): what came after the reload, against what was
  // missing then. Stored bytes are counted at commit, so chunks in flight at the reload come again: at most a window.
  const { dataChannelBytesReceived } = await trafficSeen(receiver);
  const resent = dataChannelBytesReceived - (file.size - storedAtReload);
  console.log(`receiver reload at ${((100 * storedAtReload) / file.size).toFixed(0)} %: ${(resent / MiB).toFixed(1)} MiB re-sent (window ${WINDOW / MiB} MiB)`);
  expect(resent).toBeLessThanOrEqual(WINDOW + MiB);
});
