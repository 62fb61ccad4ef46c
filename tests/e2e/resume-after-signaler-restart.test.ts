import { expect, test } from 'vitest';
import { makeFile } from '../support/files.ts';
import { MiB, signalerRestarts, WINDOW_BYTES } from '../support/resume-scenarios.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';

// A sender and two receivers, each its own browser: the second opens the link after the restart.
const peers = useTransferPeers(2);
const signal = useSignalServer();

test('the signaler restarts mid-transfer: both pages rejoin, the transfer finishes (moved to the connection made under the new peer ids once it is proven), and a new receiver gets the file too', async () => {
  const { sender, receivers, dir } = peers;
  const file = await makeFile(dir, 'signaler-restarts.bin', 96 * MiB);
  // While the signaler is down, the browser logs each refused reconnect of the pages that were in the room.
  for (const peer of [sender, receivers[0]!]) peers.expectErrors(peer, /WebSocket connection to '.*' failed: .*ERR_CONNECTION_REFUSED/);
  const { resentBytes } = await signalerRestarts({ sender, receiver: receivers[0]!, file }, signal.server, receivers[1]!);
  console.log(`signaler restart: ${(resentBytes / MiB).toFixed(1)} MiB re-sent (window ${WINDOW_BYTES / MiB} MiB)`);
  expect(resentBytes).toBeLessThanOrEqual(WINDOW_BYTES + MiB);
});
