import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Peer } from '../support/browser.ts';
import { makeFile } from '../support/files.ts';
import { startSignalServer, type RunningServer } from '../support/signal-server.ts';
import { receiveLink, saveAndVerify, shareFiles, TRANSFER_TIMEOUT_MS, waitForFraction, waitForRows } from '../support/transfer-flow.ts';
import { useTransferPeers } from '../support/transfer-peers.ts';
import { startTurn, type RunningTurn } from '../support/turn-server.ts';
import { startDelayProxyProcess, type DelayProxyProcess } from '../support/udp-delay-proxy.ts';

const MiB = 1024 * 1024;
/** Each browser-to-browser path crosses the proxy twice, so the round trip is about 4 × this: 50 ms. */
const ONE_WAY_DELAY_MS = 12.5;

const peers = useTransferPeers(1);
const rig = {} as { turn: RunningTurn; proxy: DelayProxyProcess; server: RunningServer };
beforeAll(async () => {
  const secret = randomBytes(18).toString('base64url');
  rig.turn = await startTurn(secret, { ownSession: true });
  rig.proxy = await startDelayProxyProcess({ upstreamPort: rig.turn.port, delayMs: ONE_WAY_DELAY_MS });
  // Relay only, through the proxy: every packet between the browsers is held in each direction.
  rig.server = await startSignalServer({ TURN_URLS: rig.proxy.url, TURN_SECRET: secret, TURN_TTL_SECONDS: '600', ICE_TRANSPORT_POLICY: 'relay' });
  // The receiver's page keeps the stripes the sender opens (told apart by label) with the connection each came on,
  // so a test can see they ride on lanes of their own and kill one.
  await peers.receiver.addInitScript(() => {
    const stripes: StripeSeen[] = [];
    (window as unknown as { droplineStripes: StripeSeen[] }).droplineStripes = stripes;
    const Native = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        this.addEventListener('datachannel', ({ channel }) => channel.label === 'dropline-stripe' && stripes.push({ channel, connection: this }));
      }
    };
  });
});
afterAll(async () => {
  await rig.server?.stop();
  await rig.proxy?.stop();
  await rig.turn?.stop();
});

/** Waits until the receive view says at least `count` stripes carry the transfer beside its channel. */
const waitForStripes = (receiver: Peer, count: number): Promise<void> =>
  receiver.waitFor((count) => Number(document.querySelector('[data-testid="receive-view"]')?.getAttribute('data-stripes') ?? 0) >= count, count, TRANSFER_TIMEOUT_MS);

/** A stripe the receiver's page saw, and the connection it came on. */
interface StripeSeen {
  channel: RTCDataChannel;
  connection: RTCPeerConnection;
}

// One transfer proves both things the striping must do at a distance, since a 64 MiB run through the proxy takes
// a minute or more here: it spreads over at least three channels, each on a connection of its own (the transfer's
// and two lanes), and it survives losing one of them mid-file.
test('at a 50 ms round trip, 64 MiB travels over at least three channels on as many connections, loses one mid-file, and still arrives intact', async () => {
  const { sender, receiver, dir } = peers;
  const file = await makeFile(dir, 'far-64MiB.bin', 64 * MiB);
  await receiveLink(receiver, await shareFiles(sender, rig.server.url, [file]));
  await waitForStripes(receiver, 2);
  await waitForFraction(receiver, 0.25);
  const { killed, connections } = await receiver.evaluate(() => {
    const open = (window as unknown as { droplineStripes: StripeSeen[] }).droplineStripes.filter((s) => s.channel.readyState === 'open');
    open[0]?.channel.close();
    return { killed: open.length > 0, connections: new Set(open.map((s) => s.connection)).size };
  }, undefined);
  expect(killed).toBe(true);
  // Each stripe on a lane, a connection of its own (docs/protocols.md, "Striping").
  expect(connections).toBeGreaterThanOrEqual(2);
  await waitForRows(receiver, 1, 'complete');
  await saveAndVerify(receiver, [file]);
});
