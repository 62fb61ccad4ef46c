import 'fake-indexeddb/auto';
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { deriveLinkKeys } from '../../web/src/net/handshake/link-keys.ts';
import { IndexedDbChunkStore } from '../../web/src/storage/indexeddb-chunk-store.ts';
import type { Manifest } from '../../web/src/transfer/protocol.ts';
import { MemoryBytes } from '../support/memory-bytes.ts';

const CHUNK = 4096;
const manifestOf = (transferId: string, size: number): Manifest => ({
  type: 'manifest',
  version: 2,
  transferId,
  chunkSize: CHUNK,
  files: [{ name: 'tax-return.pdf', path: 'tax-return.pdf', size, type: 'application/pdf', lastModified: 1 }],
});
const sha = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest());

describe('stored transfers are keyed by what the receiver derives from the link', () => {
  test("a peer that claims another transfer's id cannot change or delete that transfer's chunks", async () => {
    const database = `keys-${randomBytes(4).toString('hex')}`;
    const bytes = new MemoryBytes();
    const honest = await deriveLinkKeys('RRRRRRRRRRRRRRRRRRRRRR', 'c2VjcmV0LXNlY3JldC0xMg');
    const other = await deriveLinkKeys('SSSSSSSSSSSSSSSSSSSSSS', 'b3RoZXItb3RoZXItb3RoZQ');
    expect(honest.storageKey).not.toBe(other.storageKey);

    // The honest transfer has two chunks stored.
    const data = new Uint8Array(randomBytes(2 * CHUNK));
    const first = new IndexedDbChunkStore(bytes, honest.storageKey, database);
    const manifest = manifestOf('TTTTTTTTTTTTTTTTTTTTTT', data.byteLength);
    expect(await first.open(manifest)).toEqual([0]);
    for (const chunk of [0, 1]) {
      const payload = data.slice(chunk * CHUNK, (chunk + 1) * CHUNK);
      await first.put(0, chunk, payload, sha(payload));
    }
    await first.close();

    // Another link's peer sends a manifest claiming the same transfer id, with other files, and cancels.
    const hostile = new IndexedDbChunkStore(bytes, other.storageKey, database);
    expect(await hostile.open(manifestOf('TTTTTTTTTTTTTTTTTTTTTT', 10))).toEqual([0]);
    await hostile.put(0, 0, new Uint8Array(10), sha(new Uint8Array(10)));
    await hostile.discard(0);
    await hostile.close();

    // The honest transfer is untouched: same resume point, same bytes, same hashes.
    const again = new IndexedDbChunkStore(bytes, honest.storageKey, database);
    expect(await again.open(manifest)).toEqual([2]);
    expect(new Uint8Array(await (await again.blob(0)).arrayBuffer())).toEqual(data);
    expect((await again.hashes(0)).map((h) => Buffer.from(h).toString('hex'))).toEqual([0, 1].map((c) => Buffer.from(sha(data.slice(c * CHUNK, (c + 1) * CHUNK))).toString('hex')));
    await again.close();
  });

  test('the same link opened again with a manifest of another transfer starts afresh rather than mixing the two', async () => {
    const database = `keys-${randomBytes(4).toString('hex')}`;
    const bytes = new MemoryBytes();
    const { storageKey } = await deriveLinkKeys('RRRRRRRRRRRRRRRRRRRRRR', 'c2VjcmV0LXNlY3JldC0xMg');
    const store = new IndexedDbChunkStore(bytes, storageKey, database);
    const payload = new Uint8Array(randomBytes(CHUNK));
    await store.open(manifestOf('TTTTTTTTTTTTTTTTTTTTTT', CHUNK));
    await store.put(0, 0, payload, sha(payload));
    await store.close();
    const reopened = new IndexedDbChunkStore(bytes, storageKey, database);
    expect(await reopened.open(manifestOf('UUUUUUUUUUUUUUUUUUUUUU', CHUNK))).toEqual([0]);
    await reopened.close();
  });
});
