import { BlobChunkBytes } from './blob-chunk-bytes.ts';
import { IndexedDbChunkStore } from './indexeddb-chunk-store.ts';
import { MemoryChunkStore } from './memory-chunk-store.ts';
import { OpfsChunkBytes } from './opfs-chunk-bytes.ts';
import type { ReceiverStore } from './stored-transfers.ts';

/**
 * The best store this browser offers: records in IndexedDB with the bytes in
 * the origin private file system; else bytes as IndexedDB Blobs (where sync
 * access handles are missing, as in some private windows); memory only where
 * IndexedDB itself is missing, which loses what arrived on a reload. `key` names the transfer in storage
 * (see IndexedDbChunkStore).
 */
export async function openChunkStore(key: string): Promise<ReceiverStore> {
  if (!IndexedDbChunkStore.available) return new MemoryChunkStore();
  return new IndexedDbChunkStore((await OpfsChunkBytes.open()) ?? new BlobChunkBytes(), key);
}
