import { createHash } from 'node:crypto';
import { describe, expect, test, vi } from 'vitest';
import { chunkCount } from '../../web/src/transfer/protocol.ts';
import { ShareHashes } from '../../web/src/transfer/share-hashes.ts';
import { outgoing, randomFile, startTransfer, storedBytes } from '../support/transfer-harness.ts';

const CHUNK = 4096;

const expectedHash = (data: Uint8Array, chunk: number): Uint8Array =>
  new Uint8Array(createHash('sha256').update(data.subarray(chunk * CHUNK, (chunk + 1) * CHUNK)).digest());

describe('ShareHashes', () => {
  test('hashes every chunk of every file ahead, each as SHA-256 of its bytes', async () => {
    const files = [randomFile('a', 3 * CHUNK + 5), randomFile('empty', 0), randomFile('b', CHUNK)];
    const hashes = new ShareHashes();
    expect(await hashes.hashAhead(files.map((f) => outgoing(f.name, f.data)), CHUNK, () => false)).toBe(true);
    for (const [file, { data }] of files.entries()) {
      for (let chunk = 0; chunk < chunkCount(data.byteLength, CHUNK); chunk++) expect(hashes.get(file, CHUNK, chunk)).toEqual(expectedHash(data, chunk));
    }
  });

  test('gives way when a transfer wants the CPU, and goes on from there when called again', async () => {
    const file = randomFile('a', 8 * CHUNK);
    const hashes = new ShareHashes();
    let asked = 0;
    expect(await hashes.hashAhead([outgoing('a', file.data)], CHUNK, () => ++asked > 3)).toBe(false);
    const hashedFirst = Array.from({ length: 8 }, (_, chunk) => hashes.get(0, CHUNK, chunk) !== undefined);
    expect(hashedFirst).toEqual([true, true, true, false, false, false, false, false]);
    expect(await hashes.hashAhead([outgoing('a', file.data)], CHUNK, () => false)).toBe(true);
    for (let chunk = 0; chunk < 8; chunk++) expect(hashes.get(0, CHUNK, chunk)).toEqual(expectedHash(file.data, chunk));
  });

  test('skips files that are no longer sent', async () => {
    const files = [randomFile('withdrawn', 2 * CHUNK), randomFile('kept', CHUNK)];
    const hashes = new ShareHashes();
    await hashes.hashAhead(files.map((f) => outgoing(f.name, f.data)), CHUNK, () => false, (file) => file === 0);
    expect(hashes.get(0, CHUNK, 0)).toBeUndefined();
    expect(hashes.get(1, CHUNK, 0)).toEqual(expectedHash(files[1]!.data, 0));
  });

  test('a session sends the hashes it is given instead of hashing the chunks again', async () => {
    const file = randomFile('photo.jpg', 6 * CHUNK);
    const digestCalls = async (hashes?: ShareHashes): Promise<number> => {
      const digest = vi.spyOn(crypto.subtle, 'digest');
      try {
        const { receive } = await startTransfer([file], { chunkSize: CHUNK, ...(hashes && { hashes }) }).settled;
        expect(receive.files[0]!.state).toBe('complete');
        return digest.mock.calls.length;
      } finally {
        digest.mockRestore();
      }
    };
    const hashedAhead = new ShareHashes();
    await hashedAhead.hashAhead([outgoing(file.name, file.data)], CHUNK, () => false);
    expect((await digestCalls()) - (await digestCalls(hashedAhead))).toBe(6);
  });

  test('a hash that does not match its chunk is healed by the resend: the file completes with the right bytes', async () => {
    // Chromium refuses to read a picked file that changed on disk, so a stale hash can only come from a bad read.
    for (const staleChunk of [1, 3]) {
      const file = randomFile('photo.jpg', 4 * CHUNK);
      const hashes = new ShareHashes();
      await hashes.hashAhead([outgoing(file.name, file.data)], CHUNK, () => false);
      hashes.set(0, CHUNK, staleChunk, new Uint8Array(32));
      const t = startTransfer([file], { hashes, chunkSize: CHUNK });
      const { receive } = await t.settled;
      expect(t.receiverMessages().filter((m) => m.type === 'nack')).toEqual([{ type: 'nack', file: 0, chunk: staleChunk }]);
      // Whether the root with the stale hash went out before the nack arrived or not, the receiver verifies
      // against the root sent after the resend.
      expect(receive.files[0]!.state).toBe('complete');
      expect(await storedBytes(t.store, 0)).toEqual(file.data);
    }
  });

  test('receivers that share hashes each get the file verified', async () => {
    const file = randomFile('video.mp4', 6 * CHUNK + 1);
    const hashes = new ShareHashes();
    const first = startTransfer([file], { hashes, chunkSize: CHUNK });
    const second = startTransfer([file], { hashes, chunkSize: CHUNK });
    for (const t of [first, second]) {
      const { receive } = await t.settled;
      expect(receive.files[0]!.state).toBe('complete');
      expect(await storedBytes(t.store, 0)).toEqual(file.data);
    }
  });
});
