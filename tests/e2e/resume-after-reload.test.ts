import { expect, test } from 'vitest';
import { makeFile } from '../support/files.ts';
import { MiB, receiverReloads, WINDOW_BYTES } from '../support/resume-scenarios.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';

const peers = useTransferPeers(1);
const signal = useSignalServer();

test('a receiver that reloads at about half-way continues from what it stored under the same row, re-sending at most a window', async () => {
  const { sender, receiver, dir } = peers;
  const file = await makeFile(dir, 'reloaded-halfway.bin', 96 * MiB);
  const { heldFraction, resentBytes } = await receiverReloads({ sender, receiver, file }, signal.server);
  console.log(`receiver reload at ${(heldFraction * 100).toFixed(0)} %: ${(resentBytes / MiB).toFixed(1)} MiB re-sent (window ${WINDOW_BYTES / MiB} MiB)`);
  expect(heldFraction).toBeGreaterThan(0.4);
  expect(resentBytes).toBeLessThanOrEqual(WINDOW_BYTES + MiB);
});
