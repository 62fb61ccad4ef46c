import { expect, test } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mintTurnCredentials } from '../../signal/ice/turn-credentials.ts';
import type { IceServer } from '../../signal/protocol/index.ts';
import type { Peer } from '../support/browser.ts';
import { makeFile } from '../support/files.ts';
import { connectionStats, recordConnections } from '../support/peer-connections.ts';
import { useRelayOnlySignaler } from '../support/turn-server.ts';
import { saveAndVerify, shareFiles, waitForRows, receiveLink } from '../support/transfer-flow.ts';
import { useTransferPeers } from '../support/transfer-peers.ts';
import { TestSocket } from '../support/ws-client.ts';

const peers = useTransferPeers();
const relayed = useRelayOnlySignaler();

/** Gathers ICE candidates in the page with only `server` and relay-only policy; returns the relay candidates' types. */
function gatherRelayCandidates(peer: Peer, server: IceServer): Promise<string[]> {
  return peer.evaluate(async (iceServer) => {
    const pc = new RTCPeerConnection({ iceServers: [iceServer], iceTransportPolicy: 'relay' });
    const found: string[] = [];
    pc.addEventListener('icecandidate', ({ candidate }) => {
      if (candidate?.type) found.push(candidate.type);
    });
    const complete = new Promise<void>((resolve) =>
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve()),
    );
    pc.createDataChannel('probe');
    await pc.setLocalDescription(await pc.createOffer());
    await complete;
    pc.close();
    return found;
  }, server);
}

test('two browsers forced to relay complete a transfer through coturn with credentials from the signaler', async () => {
  const { sender, receiver, dir } = peers;
  const { server, turn } = relayed;
  await Promise.all([recordConnections(sender), recordConnections(receiver)]);
  const files = [await makeFile(dir, 'relayed.bin', 4 * 1024 * 1024)];
  const link = await shareFiles(sender, server.url, files);
  await receiveLink(receiver, link);
  await waitForRows(receiver, files.length, 'complete');
  // The bytes went through the relay: WebRTC's own stats show a relay candidate at both ends of the pair in use.
  const pairs = await Promise.all([sender, receiver].map(async (peer) => (await connectionStats(peer)).selectedPairs));
  expect(pairs).toEqual([[{ local: 'relay', remote: 'relay' }], [{ local: 'relay', remote: 'relay' }]]);
  await saveAndVerify(receiver, files);
  // coturn allocated relays for both peers, with usernames the signaler minted (`expiry:peerId`).
  const users = new Set([...turn.output().matchAll(/user <(\d+:[A-Za-z0-9_-]{22})>: incoming packet ALLOCATE processed, success/g)].map((m) => m[1]));
  expect(users.size).toBeGreaterThanOrEqual(2);
});

test('credentials from the joined frame gather a relay candidate; wrong and expired ones gather none', async () => {
  const { server, turn } = relayed;
  const socket = await TestSocket.open(server.url);
  const joined = await socket.join(randomBytes(16).toString('base64url'), 'sender');
  await socket.close();
  expect(joined.iceTransportPolicy).toBe('relay');
  const good = joined.iceServers.find((s) => s.username);
  if (!good) throw new Error(`no TURN server in joined: ${JSON.stringify(joined)}`);
  const peer = peers.receiver;
  expect(await gatherRelayCandidates(peer, good)).toContain('relay');

  expect(await gatherRelayCandidates(peer, { ...good, credential: mintTurnCredentials('not-the-secret', 'x', 300).credential })).toEqual([]);
  const expired = mintTurnCredentials(turn.secret, 'late-peer', -60);
  expect(await gatherRelayCandidates(peer, { urls: good.urls, ...expired })).toEqual([]);
});
