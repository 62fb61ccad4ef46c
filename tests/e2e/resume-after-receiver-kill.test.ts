import { expect, test } from 'vitest';
import { makeFile } from '../support/files.ts';
import { MiB, receiverKilled, WINDOW_BYTES } from '../support/resume-scenarios.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';

const peers = useTransferPeers(1);
const signal = useSignalServer();

test('a receiving browser killed at about half-way and started again on its profile continues from what it stored, re-sending at most a window', async () => {
  const { sender, receiver, dir } = peers;
  const file = await makeFile(dir, 'killed-halfway.bin', 96 * MiB);
  const { heldFraction, resentBytes } = await receiverKilled({ sender, receiver, file }, signal.server);
  console.log(`receiver killed, resumed from ${(heldFraction * 100).toFixed(0)} %: ${(resentBytes / MiB).toFixed(1)} MiB re-sent (window ${WINDOW_BYTES / MiB} MiB)`);
  // It went on from what it had stored, not from the start.
  expect(heldFraction).toBeGreaterThan(0.25);
  expect(resentBytes).toBeLessThanOrEqual(WINDOW_BYTES + MiB);
});
