import { describe, expect, test } from 'vitest';
import { MemoryChunkStore } from '../../web/src/storage/memory-chunk-store.ts';
import { decodeDataFrame, encodeControl } from '../../web/src/transfer/protocol.ts';
import { SendSession } from '../../web/src/transfer/sender.ts';
import { fakeChannelPair } from '../support/fake-channel.ts';
import { outgoing, randomFile, sessionPair, storedBytes, TRANSFER_ID } from '../support/transfer-harness.ts';

const CHUNK = 4096;
const WINDOW = 8 * CHUNK;

/** Payload bytes of the data frames an end sent. */
const payloadBytes = (sent: Array<string | ArrayBuffer>): number =>
  sent.reduce((n, m) => n + (typeof m === 'string' ? 0 : decodeDataFrame(m).payload.byteLength), 0);

/** A session pair with this file's chunk size and window. */
const pair = (files: Array<{ name: string; data: Uint8Array }>, store = new MemoryChunkStore()) => sessionPair(files, { chunkSize: CHUNK, windowBytes: WINDOW, store });

describe('a transfer outlives its channel', () => {
  test('a channel lost mid-file leaves both sides reconnecting with rows unchanged; a new one finishes it, re-sending at most a window', async () => {
    const file = randomFile('film.mkv', 96 * CHUNK + 123);
    const t = pair([file]);
    t.sender.start();
    await t.until(() => (t.receive()?.files[0]?.bytes ?? 0) >= 40 * CHUNK);
    const held = t.receive()!.files[0]!.bytes;
    t.ends[0].close();
    await t.until(() => t.send()?.state === 'reconnecting' && t.receive()?.state === 'reconnecting');
    // Paused, not failed: the row is still receiving, and what arrived is still counted.
    expect(t.receive()!.files[0]).toMatchObject({ state: 'receiving' });
    expect(t.receive()!.files[0]!.bytes).toBeGreaterThanOrEqual(held);

    const [senderEnd, receiverEnd] = fakeChannelPair();
    t.receiver.attach(receiverEnd);
    t.sender.attach(senderEnd);
    await t.done();
    expect(t.receive()!.files[0]!.state).toBe('complete');
    expect(await storedBytes(t.store, 0)).toEqual(file.data);
    // The new channel carried what was missing, plus at most the window that was in flight.
    expect(payloadBytes(senderEnd.sent)).toBeLessThanOrEqual(file.data.byteLength - held + WINDOW);
  });

  test('a receiver that holds part of the files already (a reload) gets only the rest', async () => {
    const files = [randomFile('a.bin', 10 * CHUNK), randomFile('b.bin', 6 * CHUNK + 7)];
    const store = new MemoryChunkStore();
    const first = pair(files, store);
    first.sender.start();
    await first.until(() => (first.receive()?.files[0]?.bytes ?? 0) >= 4 * CHUNK);
    first.ends[0].close();
    await first.until(() => first.receive()?.state === 'reconnecting');
    await store.flush();
    const have = (await store.open(first.receive()!.manifest!))[0]!;
    expect(have).toBeGreaterThanOrEqual(4);

    // A new page: new sessions on both sides, the same store.
    const again = pair(files, store);
    again.sender.start();
    await again.done();
    expect(again.ends[1].sent.map((m) => (typeof m === 'string' ? JSON.parse(m).type : 'data')).filter((type) => type === 'resume')).toHaveLength(1);
    expect(JSON.parse(again.ends[1].sent.find((m) => typeof m === 'string') as string)).toEqual({ type: 'resume', have: [have, 0] });
    expect(payloadBytes(again.ends[0].sent)).toBe(10 * CHUNK - have * CHUNK + 6 * CHUNK + 7);
    for (const i of [0, 1]) expect(await storedBytes(store, i)).toEqual(files[i]!.data);
  });

  test('a resume sent twice starts the sender over from the second, without failing or sending twice as much', async () => {
    const file = randomFile('doc.pdf', 32 * CHUNK);
    const t = pair([file]);
    t.sender.start();
    await t.until(() => t.send()?.state === 'sending');
    t.ends[1].send(encodeControl({ type: 'resume', have: [0] }));
    await t.done();
    expect(t.receive()!.files[0]!.state).toBe('complete');
    expect(await storedBytes(t.store, 0)).toEqual(file.data);
    expect(payloadBytes(t.ends[0].sent)).toBeLessThanOrEqual(file.data.byteLength + WINDOW);
  });

  test('messages still coming on a replaced channel are ignored on both sides', async () => {
    const file = randomFile('notes.txt', 20 * CHUNK);
    const t = pair([file]);
    t.sender.start();
    await t.until(() => (t.receive()?.files[0]?.bytes ?? 0) >= 4 * CHUNK);
    const [oldSender, oldReceiver] = t.ends;
    const [senderEnd, receiverEnd] = fakeChannelPair();
    t.receiver.attach(receiverEnd);
    t.sender.attach(senderEnd);
    // The old channel is still open: what comes on it now is stale, and harmful if taken for current.
    oldReceiver.send(encodeControl({ type: 'cancel' }));
    oldSender.send(encodeControl({ type: 'error', message: 'stale' }));
    oldSender.send(encodeControl({ type: 'file-end', file: 0, chunks: 20, root: '0'.repeat(64) }));
    await t.done();
    expect(t.send()!.state).toBe('done');
    expect(t.receive()!.files[0]!.state).toBe('complete');
    expect(await storedBytes(t.store, 0)).toEqual(file.data);
  });

  test('a finished transfer answers a sender that comes back with everything held, and both end done', async () => {
    const file = randomFile('small.bin', 3 * CHUNK);
    const t = pair([file]);
    t.sender.start();
    await t.done();
    const [senderEnd, receiverEnd] = fakeChannelPair();
    t.receiver.attach(receiverEnd);
    let finished: () => void = () => {};
    const done = new Promise<void>((resolve) => (finished = resolve));
    const comeback = new SendSession(senderEnd, [outgoing(file.name, file.data)], { transferId: TRANSFER_ID, chunkSize: CHUNK }, (p) => p.state === 'done' && finished());
    comeback.start();
    await done;
    expect(payloadBytes(senderEnd.sent)).toBe(0);
  });
});
