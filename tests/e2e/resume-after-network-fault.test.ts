import { expect, test } from 'vitest';
import { makeFile } from '../support/files.ts';
import { MiB, relayFault, WINDOW_BYTES } from '../support/resume-scenarios.ts';
import { useRelayOnlySignaler } from '../support/turn-server.ts';
import { useTransferPeers } from '../support/transfer-peers.ts';

// Chromium at both ends: a Firefox receiver did not recover from this fault in time (see the resume issue's note).
const peers = useTransferPeers(1);
// Relay only: every packet between the two browsers crosses coturn, so killing it cuts them off.
const relayed = useRelayOnlySignaler();

test('the relay dies mid-file and comes back 5 s later: the transfer pauses, then finishes by itself, re-sending at most a window', async () => {
  const { sender, receiver, dir } = peers;
  const file = await makeFile(dir, 'over-the-relay.bin', 96 * MiB);
  const { resentBytes } = await relayFault({ sender, receiver, file }, relayed.server, relayed.turn);
  console.log(`relay fault: ${(resentBytes / MiB).toFixed(1)} MiB re-sent (window ${WINDOW_BYTES / MiB} MiB)`);
  expect(resentBytes).toBeLessThanOrEqual(WINDOW_BYTES + MiB);
});
