import { describe, expect, test } from 'vitest';
import { deriveLinkKeys } from '../../web/src/net/handshake/link-keys.ts';
import { ReceiveClient, type LinkState, type ReceiveClientOptions } from '../../web/src/share/receive-client.ts';
import { ShareHost, type ReceiverStatus } from '../../web/src/share/share-host.ts';
import { ShareHashes } from '../../web/src/transfer/share-hashes.ts';
import type { KeptLink } from '../../web/src/storage/database.ts';
import { MemoryChunkStore } from '../../web/src/storage/memory-chunk-store.ts';
import { decodeDataFrame, type Manifest } from '../../web/src/transfer/protocol.ts';
import type { ReceiveProgress } from '../../web/src/transfer/receiver.ts';
import type { Network } from '../../web/src/net/network.ts';
import { FakeNetwork, type FakeConnection } from '../support/fake-network.ts';
import { outgoing, randomFile, storedBytes } from '../support/transfer-harness.ts';

const TARGET = { room: 'RRRRRRRRRRRRRRRRRRRRRR', secret: 'c2VjcmV0LXNlY3JldC0xMg' };

/** A condition that holds once the events say so: resolved from the events themselves, no polling. */
class Watch {
  #checks: Array<() => boolean> = [];
  changed(): void {
    this.#checks = this.#checks.filter((check) => !check());
  }
  until(reached: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => reached() && (resolve(), true);
      if (!check()) this.#checks.push(check);
    });
  }
}

/** What a reloaded sender page brings back from its kept share (share/kept-share.ts). */
interface Kept {
  peerToken?: string;
  hashes?: ShareHashes;
  text?: string;
}

async function share(network: FakeNetwork, files: Array<{ name: string; data: Uint8Array }>, kept: Kept = {}) {
  const watch = new Watch();
  let receivers: readonly ReceiverStatus[] = [];
  let peerToken: string | undefined;
  const host = new ShareHost({
    ...kept,
    target: TARGET,
    keys: deriveLinkKeys(TARGET.room, TARGET.secret),
    transferId: 'TTTTTTTTTTTTTTTTTTTTTT',
    files: files.map((f) => outgoing(f.name, f.data)),
    network,
    events: {
      receivers: (all) => {
        receivers = all;
        watch.changed();
      },
      status: () => {},
      joined: (token) => (peerToken = token),
    },
  });
  host.start();
  return { host, watch, receivers: () => receivers, peerToken: () => peerToken };
}

type Passwords = Pick<ReceiveClientOptions, 'keptPassword' | 'askPassword'>;
const NO_PASSWORD: Passwords = { askPassword: () => Promise.reject(new Error('no password in these tests')) };

/** How the person answers the offer: at once, or not yet (the test answers through the client). */
type Answer = 'accept' | 'decline' | 'later';

async function receive(network: Network, store = new MemoryChunkStore(), receiverId = 'AAAAAAAAAAAAAAAAAAAAAA', passwords = NO_PASSWORD, answer: Answer = 'accept') {
  const watch = new Watch();
  const seen = {
    progress: undefined as ReceiveProgress | undefined,
    links: [] as LinkState[],
    codes: [] as string[],
    stripes: [] as number[],
    offers: [] as Manifest[],
  };
  const client = new ReceiveClient({
    target: TARGET,
    keys: deriveLinkKeys(TARGET.room, TARGET.secret),
    receiverId: Promise.resolve(receiverId),
    store: Promise.resolve(store),
    network,
    ...passwords,
    events: {
      link: (state) => {
        seen.links.push(state);
        watch.changed();
      },
      proven: (code) => seen.codes.push(code),
      stripes: (count) => seen.stripes.push(count),
      refused: (error) => {
        throw error;
      },
      asked: (manifest) => {
        seen.offers.push(manifest);
        if (answer === 'accept') client.accept();
        else if (answer === 'decline') client.decline();
        watch.changed();
      },
      progress: (progress) => {
        seen.progress = progress;
        watch.changed();
      },
      problem: () => {},
    },
  });
  client.start();
  return { client, watch, seen, store };
}

/** A memory store that shows what the client asked it to keep, and whether it was told to forget. */
class KeepingStore extends MemoryChunkStore {
  kept: KeptLink[] = [];
  forgotten = false;
  override async keep(link: KeptLink): Promise<void> {
    this.kept.push(link);
  }
  override async forget(): Promise<void> {
    this.forgotten = true;
    await super.forget();
  }
}

/** The stored file equals the source, compared as buffers (a deep compare of megabytes takes seconds). */
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** For what no event reports (a connection's state): checked again on each turn of the event loop. */
async function until(reached: () => boolean): Promise<void> {
  while (!reached()) await new Promise((resolve) => setTimeout(resolve, 1));
}

const bytesOf = (progress: ReceiveProgress | undefined): number => progress?.files.reduce((n, f) => n + f.bytes, 0) ?? 0;
const payloadSent = (network: FakeNetwork): number =>
  network.connections.flatMap((c) => (c.remote ? c.channels : [])).reduce((n, end) => n + end.sent.reduce((m, d) => m + (typeof d === 'string' ? 0 : decodeDataFrame(d).payload.byteLength), 0), 0) /
  2; // each channel pair is listed from both connections; only the sender's end sends frames, counted twice

describe('the share host and the receive client', () => {
  test('carry a transfer end to end, each channel proven first, with the same code on both sides', async () => {
    const network = new FakeNetwork();
    const file = randomFile('photo.jpg', 300_000);
    const sender = await share(network, [file]);
    const receiver = await receive(network);
    await receiver.watch.until(() => receiver.seen.progress?.state === 'done');
    await sender.watch.until(() => sender.receivers()[0]?.progress?.state === 'done');
    expect(sameBytes(await storedBytes(receiver.store, 0), file.data)).toBe(true);
    expect(sender.receivers()).toHaveLength(1);
    expect(receiver.seen.codes).toEqual([sender.receivers()[0]!.verificationCode]);
  });

  test.each([
    { roundTripMs: 58, lanes: 3 },
    { roundTripMs: 24, lanes: 2 },
    { roundTripMs: 0, lanes: 0 },
  ])('at a measured round trip of $roundTripMs ms, the receiver opens $lanes lanes, each a connection of its own with one proven stripe', async ({ roundTripMs, lanes }) => {
    const network = new FakeNetwork();
    network.roundTripMs = roundTripMs;
    const file = randomFile('film.mkv', 3_000_000);
    const sender = await share(network, [file]);
    const receiver = await receive(network);
    await receiver.watch.until(() => receiver.seen.progress?.state === 'done');
    expect(sameBytes(await storedBytes(receiver.store, 0), file.data)).toBe(true);
    const [transfer, ...laneConnections] = network.connections.filter((c) => !c.polite);
    // The lanes' signals went over the transfer's connection, never through the signaler.
    expect(transfer!.lanes).toHaveLength(lanes);
    expect(laneConnections).toHaveLength(lanes);
    for (const lane of laneConnections) {
      expect(lane.channels).toHaveLength(0);
      expect(lane.stripes).toHaveLength(1);
      // Proven, then used: the handshake's messages are text, data frames binary.
      expect(lane.stripes[0]!.sent.some((m) => typeof m !== 'string')).toBe(true);
    }
    expect(Math.max(0, ...receiver.seen.stripes)).toBe(lanes);
    expect(receiver.seen.codes).toHaveLength(1);
    // Nothing more comes once the transfer is done: its lanes are closed, the transfer's connection stays.
    await until(() => laneConnections.every((c) => c.state === 'closed'));
    expect(transfer!.state).toBe('connected');
  });

  test('on a password share, each stripe proves the password too, and the person is asked it once', async () => {
    const network = new FakeNetwork();
    network.roundTripMs = 58;
    const file = randomFile('film.mkv', 3_000_000);
    const sender = await share(network, [file]);
    sender.host.password = 'blue-otter-42';
    let asked = 0;
    const receiver = await receive(network, new MemoryChunkStore(), undefined, {
      askPassword: async () => {
        asked++;
        return 'blue-otter-42';
      },
    });
    await receiver.watch.until(() => receiver.seen.progress?.state === 'done');
    expect(sameBytes(await storedBytes(receiver.store, 0), file.data)).toBe(true);
    expect(asked).toBe(1);
    const stripes = network.connections.filter((c) => !c.polite).flatMap((c) => c.stripes);
    expect(stripes).toHaveLength(3);
    // Every stripe ran the password exchange (its CPace share is a handshake message) before it carried data.
    for (const stripe of stripes) expect(stripe.sent.some((m) => typeof m === 'string' && m.includes('"pake"'))).toBe(true);
    for (const stripe of stripes) expect(stripe.sent.some((m) => typeof m !== 'string')).toBe(true);
  });

  test.each([
    { what: 'its stripe dies', breakLane: (lane: FakeConnection) => lane.stripes[0]!.close('the lane failed') },
    { what: 'its connection fails', breakLane: (lane: FakeConnection) => lane.fail() },
  ])('a lane is closed when $what mid-file, and what its stripe held is sent again on what is left', async ({ breakLane }) => {
    const network = new FakeNetwork();
    network.roundTripMs = 30;
    const file = randomFile('film.mkv', 6_000_000);
    await share(network, [file]);
    const receiver = await receive(network);
    await receiver.watch.until(() => receiver.seen.stripes.at(-1) === 3);
    expect(receiver.seen.progress?.state).toBe('receiving');
    const [, doomed] = network.connections.filter((c) => !c.polite);
    breakLane(doomed!);
    await receiver.watch.until(() => receiver.seen.progress?.state === 'done');
    expect(sameBytes(await storedBytes(receiver.store, 0), file.data)).toBe(true);
    expect(doomed!.state).toBe('closed');
    expect(doomed!.stripes[0]!.isOpen).toBe(false);
  });

  test('the sender takes lanes only from a proven receiver, and no more than three at a time', async () => {
    const network = new FakeNetwork();
    const file = randomFile('film.mkv', 3_000_000);
    await share(network, [file]);
    const receiver = await receive(network, new MemoryChunkStore(), undefined, NO_PASSWORD, 'later');
    await receiver.watch.until(() => receiver.seen.offers.length === 1);
    const transfer = network.connections.find((c) => c.polite)!;
    const extra = await Promise.all(Array.from({ length: 5 }, () => transfer.openChannel('lane')));
    // Each lane the sender takes gets an offer from it at once; the rest are closed unanswered.
    await until(() => extra.filter((c) => !c.isOpen).length === 2);
    expect(extra.filter((c) => c.isOpen)).toHaveLength(3);
  });

  test('a lane that carries anything but signals is closed, and the transfer goes on over its connection', async () => {
    const network = new FakeNetwork();
    network.roundTripMs = 12;
    const file = randomFile('film.mkv', 3_000_000);
    await share(network, [file]);
    const receiver = await receive(network, new MemoryChunkStore(), undefined, NO_PASSWORD, 'later');
    await receiver.watch.until(() => receiver.seen.offers.length === 1);
    const transfer = network.connections.find((c) => c.polite)!;
    const forged = await transfer.openChannel('lane');
    forged.send('{"description":{"type":"offer","sdp":"x"},"extra":1}');
    await until(() => !forged.isOpen);
    receiver.client.accept();
    await receiver.watch.until(() => receiver.seen.progress?.state === 'done');
    expect(sameBytes(await storedBytes(receiver.store, 0), file.data)).toBe(true);
  });

  test('a channel reset mid-file is replaced on the same connection and the transfer goes on from what is stored', async () => {
    const network = new FakeNetwork();
    const file = randomFile('video.mp4', 4_000_000);
    const sender = await share(network, [file]);
    const receiver = await receive(network);
    await receiver.watch.until(() => bytesOf(receiver.seen.progress) >= 1_000_000);
    network.connections[0]!.dropChannel();
    await receiver.watch.until(() => receiver.seen.progress?.state === 'reconnecting');
    // Paused, not failed: rows keep their state.
    expect(receiver.seen.progress!.files[0]!.state).toBe('receiving');
    await receiver.watch.until(() => receiver.seen.progress?.state === 'done');
    expect(receiver.seen.progress!.files[0]!.state).toBe('complete');
    expect(sameBytes(await storedBytes(receiver.store, 0), file.data)).toBe(true);
    expect(network.connections[0]!.channels).toHaveLength(2);
    expect(sender.receivers()).toHaveLength(1);
    // At most the credit window (32 MiB, more than this file) is sent again; here, not the whole file twice.
    expect(payloadSent(network)).toBeLessThan(2 * file.data.byteLength);
  });

  test('a receiver whose page goes away and comes back with its store continues its transfer under the same row', async () => {
    const network = new FakeNetwork();
    const file = randomFile('archive.zip', 3_000_000);
    const sender = await share(network, [file]);
    const store = new MemoryChunkStore();
    const first = await receive(network, store);
    await first.watch.until(() => bytesOf(first.seen.progress) >= 500_000);
    const stored = bytesOf(first.seen.progress);
    network.vanish('peer-2');
    for (const connection of network.connections) connection.close();
    await sender.watch.until(() => sender.receivers()[0]?.progress?.state === 'reconnecting');

    const again = await receive(network, store);
    await again.watch.until(() => again.seen.progress?.state === 'done');
    expect(sameBytes(await storedBytes(store, 0), file.data)).toBe(true);
    // It started from what was stored, not from zero.
    expect(again.seen.progress!.files[0]!.bytes).toBe(file.data.byteLength);
    expect(stored).toBeGreaterThan(0);
    await sender.watch.until(() => sender.receivers()[0]?.progress?.state === 'done');
    expect(sender.receivers()).toHaveLength(1);
  });

  test('the sender page reloads and reclaims its peer id: its new connection replaces the old one at the receiver, and the transfer goes on from what was stored', async () => {
    const network = new FakeNetwork();
    const file = randomFile('film.mkv', 4_000_000);
    const hashes = new ShareHashes();
    const before = await share(network, [file], { hashes });
    const receiver = await receive(network);
    await receiver.watch.until(() => bytesOf(receiver.seen.progress) >= 1_000_000);
    const senderId = network.connections[0]!.id;
    // The page dies without a word; the receiver's end of the connection has not noticed yet (it looks healthy).
    network.vanish('peer-1');
    const hashesKept = hashes.count;
    expect(hashesKept).toBeGreaterThan(0);

    const after = await share(network, [file], { peerToken: before.peerToken()!, hashes: ShareHashes.from(hashes.prefixes()) });
    await receiver.watch.until(() => receiver.seen.progress?.state === 'done');
    expect(sameBytes(await storedBytes(receiver.store, 0), file.data)).toBe(true);
    await after.watch.until(() => after.receivers()[0]?.progress?.state === 'done');
    // The same peer id in the room, yet a new connection: the old one was closed, not renegotiated.
    expect(network.connections.filter((c) => c.id !== senderId && c.remote).length).toBeGreaterThan(1);
    expect(network.connections.find((c) => c.id === senderId)!.state).toBe('closed');
    expect(payloadSent(network)).toBeLessThan(2 * file.data.byteLength);
  });

  test('a receiver that reloads while the sender still holds its old connection continues under the same row, whatever fails on the old one', async () => {
    const network = new FakeNetwork();
    const file = randomFile('backup.tar', 3_000_000);
    const sender = await share(network, [file]);
    const store = new MemoryChunkStore();
    const first = await receive(network, store);
    await first.watch.until(() => bytesOf(first.seen.progress) >= 500_000);
    // The old page goes: its channel closes, its connection still reads connected on the sender's side, so the
    // sender opens a replacement channel on it, and that channel's handshake fails under it.
    const [old] = network.connections;
    old!.farPageGone();
    await sender.watch.until(() => sender.receivers()[0]?.progress?.state === 'reconnecting');
    // The reloaded page joins before the signaler says the old one left.
    const again = await receive(network, store);
    network.vanish('peer-2');
    await again.watch.until(() => again.seen.progress?.state === 'done');
    expect(sameBytes(await storedBytes(store, 0), file.data)).toBe(true);
    await sender.watch.until(() => sender.receivers().some((r) => r.progress?.state === 'done'));
    // One row, the same transfer, nothing listed as refused.
    expect(sender.receivers().map((r) => [r.key, r.refused, r.progress?.state])).toEqual([['AAAAAAAAAAAAAAAAAAAAAA', undefined, 'done']]);
    expect(old!.channels.length).toBeGreaterThan(1);
  });

  test('the signaler restarts mid-transfer: the receiver answers the sender under its new peer id, the transfer moves to that connection and finishes, one row', async () => {
    const network = new FakeNetwork();
    const file = randomFile('dataset.bin', 4_000_000);
    const sender = await share(network, [file]);
    const receiver = await receive(network);
    await receiver.watch.until(() => bytesOf(receiver.seen.progress) >= 1_000_000);
    const [old] = network.connections;
    const before = network.connections.length;
    network.restartSignaler();
    // The sender offers a connection to the receiver's new peer id. Left unanswered (the old connection still
    // works), it would time out and be offered again forever; answered, it is proven and takes the transfer over.
    const paired = () => network.connections.slice(before).some((c) => c.remote && c.channels.length > 0);
    await receiver.watch.until(() => paired() && old!.state === 'closed' && receiver.seen.progress?.state === 'done');
    expect(sameBytes(await storedBytes(receiver.store, 0), file.data)).toBe(true);
    await sender.watch.until(() => sender.receivers()[0]?.progress?.state === 'done');
    expect(sender.receivers().map((r) => [r.key, r.refused, r.progress?.state])).toEqual([['AAAAAAAAAAAAAAAAAAAAAA', undefined, 'done']]);
    // No offer of the sender is left hanging: each of its connections was answered, or closed.
    expect(network.connections.filter((c) => c.state !== 'closed' && !c.remote)).toEqual([]);
    expect(payloadSent(network)).toBeLessThan(2 * file.data.byteLength);
  }, 20_000);

  test('a new connection that fails the handshake while the current one works leaves the transfer untouched', async () => {
    const network = new FakeNetwork();
    const file = randomFile('ledger.db', 3_000_000);
    await share(network, [file]);
    const receiver = await receive(network);
    await receiver.watch.until(() => bytesOf(receiver.seen.progress) >= 500_000);
    // Someone without the link's secret joins as a sender (a signaler can introduce anyone) and offers a connection.
    const original = network.connections[0]!;
    const watch = new Watch();
    let impostorRows: readonly ReceiverStatus[] = [];
    const impostor = new ShareHost({
      target: { ...TARGET, secret: '' },
      keys: deriveLinkKeys(TARGET.room, ''),
      transferId: 'IIIIIIIIIIIIIIIIIIIIII',
      files: [outgoing('ledger.db', file.data)],
      network,
      events: {
        receivers: (all) => {
          impostorRows = all;
          watch.changed();
        },
        status: () => {},
      },
    });
    impostor.start();
    // The receiver answers it and the handshake refuses it; the receive client is not refused (its refused event throws here).
    await watch.until(() => impostorRows.some((r) => r.refused !== undefined));
    await receiver.watch.until(() => receiver.seen.progress?.state === 'done');
    expect(sameBytes(await storedBytes(receiver.store, 0), file.data)).toBe(true);
    expect(original.state).toBe('connected');
    expect(receiver.seen.codes).toHaveLength(1);
  }, 20_000);

  test('a receiver told its room is missing (the sender is not there yet, or on its way back) says it is waiting for the sender', async () => {
    const network = new FakeNetwork();
    // As SignalingClient does while a room it was never in is missing: the join is answered room-not-found, asked again later.
    const missingRoom: Network = {
      signaling: (...args: Parameters<FakeNetwork['signaling']>) => ({ ...network.signaling(...args), connect: () => args[2].roomMissing?.() }),
      connect: (...args: Parameters<FakeNetwork['connect']>) => network.connect(...args),
    };
    const receiver = await receive(missingRoom);
    await receiver.watch.until(() => receiver.seen.links.length > 0);
    expect(receiver.seen.links).toEqual(['waiting-for-sender']);
  });

  test('a receiver keeps how to rejoin once the sender is proven, and comes back with the kept password without asking', async () => {
    const network = new FakeNetwork();
    const file = randomFile('contract.pdf', 3_000_000);
    const sender = await share(network, [file]);
    sender.host.password = 'blue-otter-42';
    const store = new KeepingStore();
    let asked = 0;
    const first = await receive(network, store, 'AAAAAAAAAAAAAAAAAAAAAA', { askPassword: async () => (asked++, 'blue-otter-42') });
    await first.watch.until(() => bytesOf(first.seen.progress) >= 500_000);
    // With the code both screens showed, for the library of received files.
    expect(store.kept.at(-1)).toEqual({ ...TARGET, receiverId: 'AAAAAAAAAAAAAAAAAAAAAA', password: 'blue-otter-42', verificationCode: first.seen.codes[0] });
    expect(first.seen.codes[0]).toMatch(/^\d{3} \d{3}$/);
    expect(asked).toBe(1);
    network.vanish('peer-2');
    for (const connection of network.connections) connection.close();
    await sender.watch.until(() => sender.receivers()[0]?.progress?.state === 'reconnecting');

    // After a browser restart: what the record kept, and no person to ask.
    const kept = store.kept.at(-1)!;
    const again = await receive(network, store, kept.receiverId, { keptPassword: Promise.resolve(kept.password), ...NO_PASSWORD });
    await again.watch.until(() => again.seen.progress?.state === 'done');
    expect(sameBytes(await storedBytes(store, 0), file.data)).toBe(true);
    expect(sender.receivers()).toHaveLength(1);
  });

  test('cancelling the whole transfer deletes what was stored and tells the sender', async () => {
    const network = new FakeNetwork();
    const sender = await share(network, [randomFile('backup.tar', 4_000_000)]);
    const store = new KeepingStore();
    const receiver = await receive(network, store);
    await receiver.watch.until(() => bytesOf(receiver.seen.progress) >= 500_000);
    await receiver.client.cancel();
    expect(store.forgotten).toBe(true);
    await sender.watch.until(() => sender.receivers()[0]?.progress?.state === 'cancelled');
  });

  test('cancelling the whole transfer keeps the files already verified and deletes the rest', async () => {
    const network = new FakeNetwork();
    const first = randomFile('notes.txt', 100_000);
    await share(network, [first, randomFile('backup.tar', 4_000_000)]);
    const store = new KeepingStore();
    const receiver = await receive(network, store);
    await receiver.watch.until(() => receiver.seen.progress?.files[0]?.state === 'complete' && (receiver.seen.progress.files[1]?.bytes ?? 0) > 0);
    await receiver.client.cancel();
    expect(store.forgotten).toBe(false);
    expect(receiver.seen.progress?.files.map((f) => f.state)).toEqual(['complete', 'failed']);
    expect(sameBytes(await storedBytes(store, 0), first.data)).toBe(true);
    expect(await store.hashes(1)).toEqual([]);
  });

  test('nothing is stored while the person is asked; accepting receives the files', async () => {
    const network = new FakeNetwork();
    const file = randomFile('holiday.mov', 200_000);
    const sender = await share(network, [file]);
    const receiver = await receive(network, new MemoryChunkStore(), undefined, undefined, 'later');
    await receiver.watch.until(() => receiver.seen.offers.length === 1);
    expect(receiver.seen.offers[0]!.files.map((f) => [f.name, f.size])).toEqual([['holiday.mov', 200_000]]);
    expect(await receiver.store.accepted()).toBe(false);
    expect(payloadSent(network)).toBe(0);
    receiver.client.accept();
    await receiver.watch.until(() => receiver.seen.progress?.state === 'done');
    expect(sameBytes(await storedBytes(receiver.store, 0), file.data)).toBe(true);
    await sender.watch.until(() => sender.receivers()[0]?.progress?.state === 'done');
  });

  test('a text shared on its own arrives exactly, offered first, with no file and nothing stored', async () => {
    const network = new FakeNetwork();
    const text = '你好，世界 👋🏽 https://example.test/a?b=c\n第二行';
    await share(network, [], { text });
    const receiver = await receive(network, new MemoryChunkStore(), undefined, undefined, 'later');
    await receiver.watch.until(() => receiver.seen.offers.length === 1);
    expect(receiver.seen.offers[0]!.files).toEqual([]);
    // Known while asking: the offer can say a text comes with it.
    expect(receiver.seen.progress?.text).toBe(text);
    receiver.client.accept();
    await receiver.watch.until(() => receiver.seen.progress?.state === 'done');
    expect(receiver.seen.progress?.text).toBe(text);
  });

  test('declining tells the sender, and nothing is stored or sent', async () => {
    const network = new FakeNetwork();
    const sender = await share(network, [randomFile('secret.zip', 100_000)]);
    const receiver = await receive(network, new MemoryChunkStore(), undefined, undefined, 'decline');
    await sender.watch.until(() => sender.receivers()[0]?.progress?.state === 'declined');
    await receiver.watch.until(() => receiver.seen.progress?.state === 'declined');
    expect(await receiver.store.accepted()).toBe(false);
    expect(payloadSent(network)).toBe(0);
  });

  test('a transfer whose record is stored (accepted on an earlier page) is not asked about again', async () => {
    const network = new FakeNetwork();
    const file = randomFile('again.bin', 50_000);
    const sender = await share(network, [file]);
    const store = new MemoryChunkStore();
    store.accepted = async () => true;
    const receiver = await receive(network, store, undefined, undefined, 'later');
    await receiver.watch.until(() => receiver.seen.progress?.state === 'done');
    expect(receiver.seen.offers).toEqual([]);
    await sender.watch.until(() => sender.receivers()[0]?.progress?.state === 'done');
  });

  test('a receiver refused by the handshake is listed as refused and gets nothing', async () => {
    const network = new FakeNetwork();
    const sender = await share(network, [randomFile('plans.pdf', 10_000)]);
    const watch = new Watch();
    let refusal: unknown;
    const intruder = new ReceiveClient({
      target: { ...TARGET, secret: '' },
      keys: deriveLinkKeys(TARGET.room, ''),
      receiverId: Promise.resolve('BBBBBBBBBBBBBBBBBBBBBB'),
      store: Promise.resolve(new MemoryChunkStore()),
      network,
      askPassword: () => Promise.reject(new Error('none')),
      events: {
        link: () => {},
        proven: () => {
          throw new Error('an intruder must never be proven');
        },
        refused: (error) => {
          refusal = error;
          watch.changed();
        },
        asked: () => {
          throw new Error('an intruder must never offer files');
        },
        progress: () => {
          throw new Error('an intruder must never get progress');
        },
        problem: () => {},
      },
    });
    intruder.start();
    await watch.until(() => refusal !== undefined);
    await sender.watch.until(() => sender.receivers().length === 1);
    expect(sender.receivers()[0]).toMatchObject({ refused: 'proof', progress: undefined });
  });
});
