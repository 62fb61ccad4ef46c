import type { Peer } from './browser.ts';

/** Where a receiving page keeps chunk bytes: files in the origin private file system, and Blobs in IndexedDB batch records. */
export interface ChunkStorage {
  opfsFiles: number;
  indexedDbBlobs: number;
  indexedDbBatches: number;
  /** Transfer records: one per transfer the person accepted and has not cancelled. */
  transferRecords: number;
}

/** Where withoutOpfs() keeps the real getDirectory, out of the app's sight, so the test can still look inside OPFS. */
const HIDDEN_GET_DIRECTORY = '__droplineTestGetDirectory';

/** Counts what the app stored, read from inside the page; OPFS is read even where the app was shown none. */
export function chunkStorage(peer: Peer): Promise<ChunkStorage> {
  return peer.evaluate(async (hidden) => {
    let opfsFiles = 0;
    const getDirectory =
      ((window as unknown as Record<string, StorageManager['getDirectory'] | undefined>)[hidden] ?? StorageManager.prototype.getDirectory) as
        | StorageManager['getDirectory']
        | undefined;
    if (getDirectory) {
      const root = await getDirectory.call(navigator.storage);
      const app = await root.getDirectoryHandle('dropline').catch(() => undefined);
      // The DOM library types lack the async iterator of directory handles.
      type Listing = { values(): AsyncIterable<FileSystemHandle> };
      for await (const transfer of app ? (app as unknown as Listing).values() : []) {
        if (transfer.kind === 'directory') for await (const file of (transfer as unknown as Listing).values()) if (file.kind === 'file') opfsFiles++;
      }
    }
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('dropline');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    // A page that never opened its database leaves one without stores here: nothing was stored.
    const all = <T,>(store: string): Promise<T[]> =>
      !db.objectStoreNames.contains(store)
        ? Promise.resolve([])
        : new Promise((resolve, reject) => {
            const request = db.transaction(store).objectStore(store).getAll();
            request.onsuccess = () => resolve(request.result as T[]);
            request.onerror = () => reject(request.error);
          });
    const batches = await all<{ data?: Blob }>('batches');
    const transfers = await all<unknown>('transfers');
    db.close();
    return { opfsFiles, indexedDbBlobs: batches.filter((b) => b.data instanceof Blob).length, indexedDbBatches: batches.length, transferRecords: transfers.length };
  }, HIDDEN_GET_DIRECTORY);
}

/**
 * Makes a browser look like one without the origin private file system (some private windows, older engines).
 * The real getDirectory is kept under a name the app never reads, so chunkStorage() can prove nothing went there.
 */
export async function withoutOpfs(peer: Peer): Promise<void> {
  await peer.addInitScript(() => {
    const prototype = StorageManager.prototype as Partial<StorageManager>;
    Object.defineProperty(window, '__droplineTestGetDirectory', { value: prototype.getDirectory });
    delete prototype.getDirectory;
  });
}
