import { describe, expect, test } from 'vitest';
import { MemoryChunkStore } from '../../web/src/storage/memory-chunk-store.ts';
import { decodeDataFrame } from '../../web/src/transfer/protocol.ts';
import { fakeChannelPair, type FakeChannelEnd } from '../support/fake-channel.ts';
import { randomFile, sessionPair, storedBytes } from '../support/transfer-harness.ts';

const CHUNK = 4096;
const WINDOW = 16 * CHUNK;

/** The chunks (file/chunk) of the data frames an end sent. */
const chunksSent = (end: FakeChannelEnd): string[] =>
  end.sent.filter((m): m is ArrayBuffer => typeof m !== 'string').map((m) => `${decodeDataFrame(m).file}/${decodeDataFrame(m).chunk}`);

/** Records the order in which chunks reach storage. */
class RecordingStore extends MemoryChunkStore {
  readonly order: number[] = [];
  override async put(file: number, chunk: number, payload: Uint8Array, hash: Uint8Array): Promise<void> {
    this.order.push(chunk);
    return super.put(file, chunk, payload, hash);
  }
}

/** A session pair with this file's chunk size and window. */
const pair = (files: Array<{ name: string; data: Uint8Array }>, store = new RecordingStore()) => sessionPair(files, { chunkSize: CHUNK, windowBytes: WINDOW, store });

/** The credit the receiver granted in `ack` messages. */
const acked = (end: FakeChannelEnd): number =>
  end.sent.filter((m): m is string => typeof m === 'string').map((m) => JSON.parse(m) as { type: string; bytes?: number }).reduce((n, m) => n + (m.type === 'ack' ? m.bytes! : 0), 0);

describe('one session striped over several channels', () => {
  test('chunks arriving out of order across channels are put back by their index, verified, and acknowledged once stored', async () => {
    const file = randomFile('film.mkv', 64 * CHUNK + 99);
    const t = pair([file]);
    let release: () => void = () => {};
    // One stripe holds its frames back until the others have delivered a good part of the file.
    const late = t.stripe({ deliveryGate: new Promise<void>((resolve) => (release = resolve)) });
    const quick = t.stripe();
    t.sender.start();
    await t.until(() => (t.receive()?.files[0]?.bytes ?? 0) >= 4 * CHUNK);
    release();
    await t.done();
    expect(t.sender.channelCount).toBe(3);
    expect(chunksSent(late).length).toBeGreaterThan(0);
    expect(chunksSent(quick).length).toBeGreaterThan(0);
    expect(t.store.order).not.toEqual([...t.store.order].sort((a, b) => a - b));
    expect(t.receive()!.files[0]).toMatchObject({ state: 'complete', bytes: file.data.byteLength });
    expect(await storedBytes(t.store, 0)).toEqual(file.data);
    // Every byte was credited once: nothing was sent twice, so nothing beyond the file.
    expect(acked(t.ends[1])).toBe(file.data.byteLength);
    expect(t.send()!.deliveredBytes).toBe(file.data.byteLength);
  });

  test('a channel that closes mid-stripe has its unacknowledged chunks sent again on the others', async () => {
    const file = randomFile('disk.img', 96 * CHUNK);
    const t = pair([file]);
    // Its frames never arrive: they are the unacknowledged chunks lost with it.
    const doomed = t.stripe({ deliveryGate: new Promise<void>(() => {}) });
    const other = t.stripe();
    t.sender.start();
    await t.until(() => chunksSent(doomed).length >= 3);
    const lost = chunksSent(doomed);
    doomed.close('the channel was reset');
    await t.done();
    expect(t.sender.channelCount).toBe(2);
    const resent = new Set([...chunksSent(t.ends[0]), ...chunksSent(other)]);
    for (const chunk of lost) expect(resent).toContain(chunk);
    expect(t.receive()!.files[0]!.state).toBe('complete');
    expect(await storedBytes(t.store, 0)).toEqual(file.data);
  });

  test('a transfer resumes on a new channel and new stripes after its channel is lost, re-sending at most a window', async () => {
    const file = randomFile('archive.zip', 96 * CHUNK + 5);
    const t = pair([file]);
    const first = t.stripe();
    t.sender.start();
    await t.until(() => (t.receive()?.files[0]?.bytes ?? 0) >= 40 * CHUNK);
    const held = t.receive()!.files[0]!.bytes;
    t.ends[0].close();
    await t.until(() => t.send()?.state === 'reconnecting' && t.receive()?.state === 'reconnecting');
    // The stripes went with their session channel.
    expect(first.isOpen).toBe(false);
    expect(t.sender.channelCount).toBe(1);

    const [senderEnd, receiverEnd] = fakeChannelPair();
    t.receiver.attach(receiverEnd);
    t.sender.attach(senderEnd);
    const second = t.stripe();
    const third = t.stripe();
    await t.done();
    expect(t.sender.channelCount).toBe(3);
    expect(t.receive()!.files[0]!.state).toBe('complete');
    expect(await storedBytes(t.store, 0)).toEqual(file.data);
    const sentAfter = [senderEnd, second, third].reduce((n, end) => n + chunksSent(end).length, 0);
    expect(sentAfter * CHUNK).toBeLessThanOrEqual(file.data.byteLength - held + WINDOW + CHUNK);
    expect(chunksSent(second).length + chunksSent(third).length).toBeGreaterThan(0);
  });
});
