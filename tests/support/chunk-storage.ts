import type { BrowserContext, Page } from 'playwright-core';

/** Where a receiving page keeps chunk bytes: files in the origin private file system, and Blobs in IndexedDB batch records. */
export interface ChunkStorage {
  opfsFiles: number;
  indexedDbBlobs: number;
  indexedDbBatches: number;
}

/** Counts what the app stored, read from inside the page. */
export function chunkStorage(page: Page): Promise<ChunkStorage> {
  return page.evaluate(async () => {
    let opfsFiles = 0;
    const getDirectory = StorageManager.prototype.getDirectory as StorageManager['getDirectory'] | undefined;
    if (getDirectory) {
      const root = await navigator.storage.getDirectory();
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
    const batches = await new Promise<Array<{ data?: Blob }>>((resolve, reject) => {
      const all = db.transaction('batches').objectStore('batches').getAll();
      all.onsuccess = () => resolve(all.result as Array<{ data?: Blob }>);
      all.onerror = () => reject(all.error);
    });
    db.close();
    return { opfsFiles, indexedDbBlobs: batches.filter((b) => b.data instanceof Blob).length, indexedDbBatches: batches.length };
  });
}

/** Makes a browser look like one without the origin private file system (some private windows, older engines). */
export async function withoutOpfs(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    delete (StorageManager.prototype as Partial<StorageManager>).getDirectory;
  });
}
