import 'fake-indexeddb/auto';
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { IndexedDbChunkStore } from '../../web/src/storage/indexeddb-chunk-store.ts';
import { OLD_TRANSFER_DAYS, deleteStoredTransfer, listUnfinishedTransfers } from '../../web/src/storage/stored-transfers.ts';
import type { Manifest } from '../../web/src/transfer/protocol.ts';
import { MemoryBytes } from '../support/memory-bytes.ts';

const CHUNK = 4096;
const KEY = 'KKKKKKKKKKKKKKKKKKKKKK';
const LINK = { room: 'RRRRRRRRRRRRRRRRRRRRRR', secret: 'c2VjcmV0LXNlY3JldC0xMg', receiverId: 'AAAAAAAAAAAAAAAAAAAAAA', password: 'blue-otter-42' };
const sha = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest());
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function fixture(chunks: number) {
  const databaseName = `stored-${randomBytes(4).toString('hex')}`;
  const data = new Uint8Array(randomBytes(chunks * CHUNK - 100));
  const manifest: Manifest = {
    type: 'manifest',
    version: 2,
    transferId: 'TTTTTTTTTTTTTTTTTTTTTT',
    chunkSize: CHUNK,
    files: [{ name: 'film.mkv', path: 'film.mkv', size: data.byteLength, type: '', lastModified: 1 }],
  };
  const bytes = new MemoryBytes();
  const chunk = (c: number) => data.slice(c * CHUNK, (c + 1) * CHUNK);
  return {
    bytes,
    manifest,
    databaseName,
    chunk,
    store: (checkpointBytes?: number) => new IndexedDbChunkStore(bytes, KEY, databaseName, checkpointBytes),
    /** Puts chunks `from`..`to` (exclusive) and waits until they are committed, as the receiver does before acking. */
    put: async (store: IndexedDbChunkStore, from: number, to: number) => {
      for (let c = from; c < to; c++) await store.put(0, c, chunk(c), sha(chunk(c)));
    },
    list: () => listUnfinishedTransfers({ databaseName }),
  };
}

describe('after a crash, nothing counts as stored that is not on disk as recorded', () => {
  test('chunks whose bytes were changed or cut off are dropped from the records and asked for again', async () => {
    const f = fixture(6);
    const first = f.store();
    expect(await first.open(f.manifest)).toEqual([0]);
    await f.put(first, 0, 6);
    await first.verified(0);
    // The page dies here: no close(). Then the disk turns out to hold other bytes for chunk 2, and no chunk 5.
    f.bytes.corrupt(KEY, 0, 2);
    f.bytes.truncate(KEY, 0, 5);

    const again = f.store();
    expect(await again.open(f.manifest)).toEqual([2]);
    // Chunks 2 and 5 are no longer recorded: the sender is asked for them again, and their hashes are gone.
    const hashes = await again.hashes(0);
    expect(hashes.map((h, c) => (h ? c : -1)).filter((c) => c >= 0)).toEqual([0, 1, 3, 4]);
    expect(hex(hashes[3]!)).toBe(hex(sha(f.chunk(3))));
    // The file was recorded verified; it is not whole any more, so the transfer is listed unfinished again.
    expect((await f.list()).map((t) => t.storedBytes)).toEqual([4 * CHUNK]);
    await again.close();
  });

  test('a clean close leaves nothing to check; after a power loss only what came after the last checkpoint is checked, and what it lost is asked for again', async () => {
    const f = fixture(5);
    const first = f.store();
    await first.open(f.manifest);
    await f.put(first, 0, 3);
    await first.close();

    const second = f.store();
    expect(await second.open(f.manifest)).toEqual([3]);
    expect(f.bytes.checked).toBe(0);
    await f.put(second, 3, 5);
    // The machine loses power before any checkpoint: the records of chunks 3 and 4 survived, their bytes did not.
    f.bytes.loseUnflushed();

    const third = f.store();
    expect(await third.open(f.manifest)).toEqual([3]);
    expect(f.bytes.checked).toBe(2);
    await third.close();
  });
  test('checkpoints as the transfer goes bound what a power loss costs: only what came after the last one is checked and asked for again', async () => {
    const f = fixture(7);
    // A checkpoint every two chunks' worth; the idle flush writes each chunk as its own batch here.
    const first = f.store(2 * CHUNK);
    await first.open(f.manifest);
    await f.put(first, 0, 5);
    await first.flush();
    f.bytes.loseUnflushed();

    const again = f.store();
    const [have] = await again.open(f.manifest);
    // Chunks up to the last checkpoint (at least the first four) are trusted without reading them; the rest are
    // checked, and what the power loss took is asked for again.
    expect(have).toBeGreaterThanOrEqual(4);
    expect(f.bytes.checked).toBeLessThanOrEqual(5 - 4);
    expect(have! + f.bytes.checked).toBeGreaterThanOrEqual(5);
    await again.close();
  });
});

describe('stored transfers as the start page sees them', () => {
  test('keeping the link writes nothing before the transfer is accepted; its record, once open() writes it, means accepted', async () => {
    const f = fixture(2);
    const store = f.store();
    await store.keep(LINK);
    expect(await f.store().accepted()).toBe(false);
    expect(await f.list()).toEqual([]);
    await store.open(f.manifest);
    expect(await f.store().accepted()).toBe(true);
  });

  test('the record keeps the link, the proven password and the receiver id; another page rejoins with them', async () => {
    const f = fixture(3);
    const store = f.store();
    await store.keep(LINK);
    await store.open(f.manifest);
    await f.put(store, 0, 1);

    // The browser restarted: a new page of the link finds how to rejoin, and the transfer listed, paused at one chunk.
    expect(await f.store().rejoin()).toEqual({ receiverId: LINK.receiverId, password: LINK.password });
    const [listed, ...others] = await f.list();
    expect(others).toEqual([]);
    expect(listed).toMatchObject({ key: KEY, link: LINK, files: f.manifest.files, totalBytes: f.manifest.files[0]!.size, storedBytes: CHUNK, old: false });
  });

  test(`unfinished transfers untouched for more than ${OLD_TRANSFER_DAYS} days are marked old; finished ones are not listed`, async () => {
    const f = fixture(2);
    const store = f.store();
    await store.open(f.manifest);
    await f.put(store, 0, 1);
    const later = (days: number) => Date.now() + days * 24 * 60 * 60 * 1000;
    expect((await listUnfinishedTransfers({ databaseName: f.databaseName, now: later(OLD_TRANSFER_DAYS - 1) })).map((t) => t.old)).toEqual([false]);
    expect((await listUnfinishedTransfers({ databaseName: f.databaseName, now: later(OLD_TRANSFER_DAYS + 1) })).map((t) => t.old)).toEqual([true]);
    await f.put(store, 1, 2);
    await store.verified(0);
    await store.close();
    expect(await f.list()).toEqual([]);
  });

  test('forget() and deleteStoredTransfer() leave no record, batch or byte behind', async () => {
    const f = fixture(3);
    const cancelled = f.store();
    await cancelled.open(f.manifest);
    await f.put(cancelled, 0, 2);
    await cancelled.forget();
    expect(f.bytes.files.size).toBe(0);
    expect(await f.list()).toEqual([]);
    expect(await f.store().open(f.manifest)).toEqual([0]);

    const abandoned = f.store();
    await abandoned.open(f.manifest);
    await f.put(abandoned, 0, 2);
    await abandoned.close();
    expect(await f.list()).toHaveLength(1);
    await deleteStoredTransfer(KEY, { databaseName: f.databaseName, removeBytes: (key) => f.bytes.remove(key) });
    expect(f.bytes.files.size).toBe(0);
    expect(await f.list()).toEqual([]);
    expect(await f.store().open(f.manifest)).toEqual([0]);
  });
});
