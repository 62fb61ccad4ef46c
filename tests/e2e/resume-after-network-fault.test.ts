import { expect, test } from 'vitest';
import type { Peer } from '../support/browser.ts';
import { makeFile } from '../support/files.ts';
import { recordConnections, trafficSeen } from '../support/peer-connections.ts';
import { waitForReceivers } from '../support/sender-view.ts';
import { useRelayOnlySignaler } from '../support/turn-server.ts';
import { rowSelector, saveAndVerify, shareFiles, waitForRows } from '../support/transfer-flow.ts';
import { useTransferPeers } from '../support/transfer-peers.ts';

const MiB = 1024 * 1024;
/** How long the relay stays dead: the outage itself, what the test is about, not a wait for a state. */
const OUTAGE_MS = 5_000;
/** The sender's credit window (transfer/sender.ts): the most a resume may send again. */
const WINDOW = 32 * MiB;

// Chromium at both ends: a Firefox receiver did not recover from this fault in time (see the resume issue's note).
const peers = useTransferPeers({ sender: 'chromium', receivers: ['chromium'] });
// Relay only: every packet between the two browsers crosses coturn, so killing it cuts them off.
const relayed = useRelayOnlySignaler();

/** The fraction of `name` the receive view shows as stored. */
const storedFraction = (peer: Peer, name: string): Promise<number> =>
  peer.evaluate((selector) => {
    const bar = document.querySelector<HTMLProgressElement>(`${selector} progress`);
    return bar ? bar.value / bar.max : 0;
  }, rowSelector(name));

test('the relay dies mid-file and comes back 5 s later: the transfer pauses, then finishes by itself, re-sending at most a window', async () => {
  const { sender, receiver, dir } = peers;
  const { server, turn } = relayed;
  await recordConnections(receiver);
  const file = await makeFile(dir, 'over-the-relay.bin', 96 * MiB);
  const link = await shareFiles(sender, server.url, [file]);
  await receiver.goto(link);
  await receiver.waitFor((selector) => {
    const bar = document.querySelector<HTMLProgressElement>(`${selector} progress`);
    return bar && bar.value / bar.max >= 0.4;
  }, rowSelector(file.name), 120_000);

  await turn.kill();
  const storedAtFault = await storedFraction(receiver, file.name);
  // Both sides say they are paused and reconnecting; the row is not failed.
  await receiver.waitFor(() => document.querySelector('[role="status"]')?.textContent?.includes('reconnecting'), undefined, 60_000);
  await waitForReceivers(sender, ['reconnecting'], 60_000);
  expect(await receiver.evaluate((selector) => document.querySelector(selector)?.getAttribute('data-state'), rowSelector(file.name))).toBe('receiving');

  // Five seconds without a relay, then it is back on the same port. No click from here on.
  await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
  await turn.restart();

  await waitForRows(receiver, 1, 'complete', 100_000);
  await saveAndVerify(receiver, [file]);
  await waitForReceivers(sender, ['done']);
  const { dataChannelBytesReceived } = await trafficSeen(receiver);
  const resent = dataChannelBytesReceived - file.size;
  console.log(`relay fault at ${(storedAtFault * 100).toFixed(0)} %: ${(resent / MiB).toFixed(1)} MiB re-sent (window ${WINDOW / MiB} MiB)`);
  expect(resent).toBeLessThanOrEqual(WINDOW + MiB);
});
