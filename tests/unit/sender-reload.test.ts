import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { KeptShare } from '../../web/src/share/kept-share.ts';
import { pickContinues, reopenShare } from '../../web/src/share/reopen-share.ts';
import type { ShareRecord } from '../../web/src/storage/database.ts';
import { ShareRecords } from '../../web/src/storage/share-records.ts';
import { hashChunks } from '../../web/src/transfer/frame-reader.ts';
import type { OutgoingFile } from '../../web/src/transfer/sender.ts';
import { ShareHashes } from '../../web/src/transfer/share-hashes.ts';
import { randomFile } from '../support/transfer-harness.ts';

const CHUNK = 64 * 1024;

function picked(path: string, data: Uint8Array, lastModified = 1_700_000_000_000): OutgoingFile {
  return { blob: new Blob([data as Uint8Array<ArrayBuffer>]), entry: { name: path.split('/').at(-1)!, path, size: data.byteLength, type: 'application/octet-stream', lastModified } };
}

/** A share as the sender's page kept it, with the hashes of the first `hashed` chunks of each file. */
async function keptShare(files: OutgoingFile[], hashed = Infinity): Promise<ShareRecord> {
  const hashes = new ShareHashes();
  for (const [index, { blob, entry }] of files.entries()) {
    const last = Math.min(hashed, Math.ceil(entry.size / CHUNK));
    for await (const { chunk, hash } of hashChunks(blob, entry.size, CHUNK, 0, last)) hashes.set(index, CHUNK, chunk, hash);
  }
  return { room: 'R'.repeat(22), secret: 'S'.repeat(22), transferId: 'T'.repeat(22), password: '', files: files.map((f) => f.entry), hashes: hashes.prefixes(), withdrawn: [], createdAt: 1, updatedAt: 1 };
}

describe('continuing a kept share with files picked again', () => {
  const photo = randomFile('photo.jpg', 300_000);
  const notes = randomFile('notes.txt', 5_000);

  test('the same files, picked in any order, continue it with its manifest entries and the hashes already computed', async () => {
    const record = await keptShare([picked('trip/photo.jpg', photo.data), picked('notes.txt', notes.data)]);
    const again = [picked('notes.txt', notes.data), picked('trip/photo.jpg', photo.data)];
    expect(pickContinues(record, again)).toBe(true);
    const reopened = await reopenShare(record, again);
    if (!reopened.ok) throw new Error(`refused: ${reopened.problem.code}`);
    expect(reopened.files.map((f) => f.entry)).toEqual(record.files);
    expect(reopened.hashes.count).toBe(Math.ceil(300_000 / CHUNK) + 1);
  });

  test('a pick that names other files, or only some of its files, is a new share', async () => {
    const record = await keptShare([picked('photo.jpg', photo.data), picked('notes.txt', notes.data)]);
    expect(pickContinues(record, [picked('other.jpg', photo.data)])).toBe(false);
    expect(pickContinues(record, [picked('photo.jpg', photo.data)])).toBe(false);
    expect(pickContinues(record, [picked('photo.jpg', photo.data), picked('notes.txt', notes.data), picked('x.bin', notes.data)])).toBe(false);
    expect(pickContinues({ ...record, withdrawn: [1] }, [picked('photo.jpg', photo.data)])).toBe(true);
  });

  test('another file with the same name and size is refused: by its modification time, or by its chunks when even that matches', async () => {
    const record = await keptShare([picked('photo.jpg', photo.data)]);
    const impostor = randomFile('photo.jpg', 300_000).data;
    expect(await reopenShare(record, [picked('photo.jpg', impostor, 1_800_000_000_000)])).toEqual({ ok: false, problem: { code: 'modified', paths: ['photo.jpg'] } });
    expect(await reopenShare(record, [picked('photo.jpg', impostor)])).toEqual({ ok: false, problem: { code: 'contents', paths: ['photo.jpg'] } });
  });

  test('a change past the chunks hashed so far is not held against it: no receiver holds those chunks yet', async () => {
    const record = await keptShare([picked('photo.jpg', photo.data)], 2);
    const tail = photo.data.slice();
    tail[tail.length - 1]! ^= 0xff;
    expect((await reopenShare(record, [picked('photo.jpg', tail)])).ok).toBe(true);
    tail[0]! ^= 0xff;
    expect((await reopenShare(record, [picked('photo.jpg', tail)])).ok).toBe(false);
  });

  test('a changed size is refused, naming the file', async () => {
    const record = await keptShare([picked('photo.jpg', photo.data), picked('notes.txt', notes.data)]);
    expect(await reopenShare(record, [picked('photo.jpg', photo.data), picked('notes.txt', notes.data.slice(1))])).toEqual({ ok: false, problem: { code: 'size', paths: ['notes.txt'] } });
  });

  test('a withdrawn file need not be picked again, and is never read', async () => {
    const record = { ...(await keptShare([picked('photo.jpg', photo.data), picked('notes.txt', notes.data)])), withdrawn: [1] };
    const reopened = await reopenShare(record, [picked('photo.jpg', photo.data)]);
    if (!reopened.ok) throw new Error(`refused: ${reopened.problem.code}`);
    expect(reopened.files[1]!.blob.size).toBe(0);
  });
});

describe('a kept share', () => {
  test('is written at once, keeps its token, password, withdrawals and new hashes, and is gone once ended', async () => {
    const records = new ShareRecords(`kept-${Math.random()}`);
    const hashes = new ShareHashes();
    const record = await keptShare([picked('photo.jpg', randomFile('p', 100_000).data)], 0);
    const kept = new KeptShare(records, record, hashes);
    kept.start();
    await kept.settled();
    expect(await records.all()).toEqual([expect.objectContaining({ room: record.room, hashes: [] })]);

    hashes.set(0, CHUNK, 0, new Uint8Array(32).fill(7));
    kept.update({ peerToken: 'P'.repeat(22), password: 'hunter2', withdrawn: [0] });
    await kept.settled();
    const [saved] = await records.all();
    expect(saved).toMatchObject({ peerToken: 'P'.repeat(22), password: 'hunter2', withdrawn: [0] });
    expect(ShareHashes.from(saved!.hashes).get(0, CHUNK, 0)).toEqual(new Uint8Array(32).fill(7));

    // A save asked for just before the end never lands after it.
    kept.update({ password: 'late' });
    await kept.end();
    expect(await records.all()).toEqual([]);
  });
});
