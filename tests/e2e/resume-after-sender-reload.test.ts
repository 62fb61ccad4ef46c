import { mkdir, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { makeFile } from '../support/files.ts';
import { recordConnections, trafficSeen } from '../support/peer-connections.ts';
import { waitForReceivers } from '../support/sender-view.ts';
import { readShareLink, REDRAW_TIMEOUT_MS, rowSelector, saveAndVerify, shareFiles, waitForAlert, waitForRows } from '../support/transfer-flow.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';

const MiB = 1024 * 1024;
/** The sender's credit window (transfer/sender.ts): the most a resume may send again. */
const WINDOW = 32 * MiB;

const signal = useSignalServer();
const peers = useTransferPeers({ sender: 'chromium', receivers: ['chromium'] });

test('the sender reloads half-way: another file of the same name and size is refused, the same file continues under the same link, re-sending at most a window', async () => {
  const { sender, receiver, dir } = peers;
  const { server } = signal;
  await recordConnections(receiver);
  const file = await makeFile(dir, 'holiday.mov', 96 * MiB);
  const link = await shareFiles(sender, server.url, [file]);
  await receiver.goto(link);
  await receiver.waitFor((selector) => {
    const bar = document.querySelector<HTMLProgressElement>(`${selector} progress`);
    return bar && bar.value / bar.max >= 0.5;
  }, rowSelector(file.name), 120_000);

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
  const { dataChannelBytesReceived } = await trafficSeen(receiver);
  const resent = dataChannelBytesReceived - file.size;
  console.log(`sender reload: ${(resent / MiB).toFixed(1)} MiB re-sent (window ${WINDOW / MiB} MiB)`);
  expect(resent).toBeLessThanOrEqual(WINDOW + MiB);
});
