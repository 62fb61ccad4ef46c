import { afterAll, beforeAll, expect, test } from 'vitest';
import type { SignalData } from '../../signal/protocol/index.ts';
import { launchChromium, type ChromiumPeer } from '../support/chromium.ts';
import { makeFile } from '../support/files.ts';
import { waitForReceivers } from '../support/sender-view.ts';
import { startTamperingRelay, type TamperingRelay } from '../support/tampering-relay.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';
import { shareFiles, waitForAlert } from '../support/transfer-flow.ts';

const signal = useSignalServer();
const peers = useTransferPeers(1);
let middle: ChromiumPeer;
let relay: TamperingRelay;

/** What the machine in the middle saw on its DataChannels, from either real peer. */
interface Seen {
  texts: string[];
  binaryBytes: number;
}

/**
 * The middle: a third Chromium page under the test's control with two connections, one answering the real
 * sender, one offering to the real receiver, passing every DataChannel message from one to the other.
 */
const MIDDLE_SCRIPT = () => {
  const seen = { texts: [] as string[], binaryBytes: 0 };
  const out = (window as unknown as { mitmSignal(side: string, data: unknown): void }).mitmSignal;
  const connection = (side: 'sender' | 'receiver') => {
    const pc = new RTCPeerConnection({ iceServers: [] });
    pc.addEventListener('icecandidate', ({ candidate }) => candidate && out(side, { candidate: candidate.toJSON() }));
    return pc;
  };
  const facingSender = connection('sender');
  const facingReceiver = connection('receiver');
  let toSender: RTCDataChannel | undefined;
  const toReceiver = facingReceiver.createDataChannel('dropline', { ordered: true });
  toReceiver.binaryType = 'arraybuffer';
  const queued = { sender: [] as Array<string | ArrayBuffer>, receiver: [] as Array<string | ArrayBuffer> };
  const pass = (to: 'sender' | 'receiver', data: string | ArrayBuffer) => {
    if (typeof data === 'string') seen.texts.push(data);
    else seen.binaryBytes += data.byteLength;
    const channel = to === 'sender' ? toSender : toReceiver;
    if (channel?.readyState === 'open') channel.send(data as ArrayBuffer);
    else queued[to].push(data);
  };
  const flush = (to: 'sender' | 'receiver', channel: RTCDataChannel) => queued[to].splice(0).forEach((d) => channel.send(d as ArrayBuffer));
  toReceiver.addEventListener('message', ({ data }) => pass('sender', data));
  toReceiver.addEventListener('open', () => flush('receiver', toReceiver));
  facingSender.addEventListener('datachannel', ({ channel }) => {
    toSender = channel;
    channel.binaryType = 'arraybuffer';
    channel.addEventListener('message', ({ data }) => pass('receiver', data));
    channel.addEventListener('open', () => flush('sender', channel));
    if (channel.readyState === 'open') flush('sender', channel);
  });
  facingReceiver.addEventListener('negotiationneeded', async () => {
    await facingReceiver.setLocalDescription();
    out('receiver', { description: { type: facingReceiver.localDescription!.type, sdp: facingReceiver.localDescription!.sdp } });
  });
  Object.assign(window, {
    mitmSeen: seen,
    mitmDeliver: async (side: 'sender' | 'receiver', data: { description?: RTCSessionDescriptionInit; candidate?: RTCIceCandidateInit }) => {
      const pc = side === 'sender' ? facingSender : facingReceiver;
      if (data.description) {
        await pc.setRemoteDescription(data.description);
        if (data.description.type === 'offer') {
          await pc.setLocalDescription();
          out(side, { description: { type: pc.localDescription!.type, sdp: pc.localDescription!.sdp } });
        }
      } else if (data.candidate) {
        await pc.addIceCandidate(data.candidate).catch(() => undefined);
      }
    },
  });
};

beforeAll(async () => {
  middle = await launchChromium();
  const deliver = (side: 'sender' | 'receiver') => (data: SignalData) =>
    void middle.page.evaluate(({ side, data }) => (window as unknown as { mitmDeliver(s: string, d: unknown): Promise<void> }).mitmDeliver(side, data), { side, data });
  relay = await startTamperingRelay(signal.server.url, { fromSender: deliver('sender'), fromReceiver: deliver('receiver') });
  await middle.page.exposeFunction('mitmSignal', (side: 'sender' | 'receiver', data: SignalData) => (side === 'sender' ? relay.toSender(data) : relay.toReceiver(data)));
  await middle.goto(signal.server.url);
  await middle.page.evaluate(MIDDLE_SCRIPT);
});

afterAll(async () => {
  await relay?.stop();
  await middle?.close();
});

test('a signaler that puts its own machine between the peers is caught by both; the middle learns no name and no byte', async () => {
  const { sender, receiver, dir } = peers;
  const file = await makeFile(dir, 'board-minutes-confidential.docx', 2 * 1024 * 1024);
  // Both open the app through the dishonest signaler, with the whole, genuine link.
  const link = await shareFiles(sender, relay.url, [file]);
  await receiver.goto(link);

  await waitForAlert(receiver, 'someone tampered with the connection', 60_000);
  await waitForReceivers(sender, ['refused'], 60_000);

  const seen = await middle.page.evaluate(() => (window as unknown as { mitmSeen: Seen }).mitmSeen);
  // The middle did sit in the path: it passed on both peers' hellos and proofs...
  expect(seen.texts.filter((t) => t.includes('"type":"hello"'))).toHaveLength(2);
  expect(seen.texts.some((t) => t.includes('"type":"auth"'))).toBe(true);
  // ...and nothing else of any worth: no manifest, no name, not one byte of file content.
  expect(seen.binaryBytes).toBe(0);
  expect(seen.texts.join('\n')).not.toContain(file.name);
  expect(seen.texts.every((t) => /"type":"(hello|auth|refuse)"/.test(t))).toBe(true);
  expect(await receiver.evaluate(() => document.body.innerText, undefined)).not.toContain(file.name);
});
