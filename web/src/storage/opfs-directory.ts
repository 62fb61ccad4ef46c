import type { FileEntry } from '../transfer/protocol.ts';

/**
 * Where chunk bytes live in the origin private file system: `dropline/<storage key>/<file index>`. Shared by the
 * writer worker and by the page, which deletes a stored transfer no tab holds without starting a worker.
 */

const OPFS_ROOT_DIRECTORY = 'dropline';

async function rootDirectory(create: boolean): Promise<FileSystemDirectoryHandle> {
  return (await navigator.storage.getDirectory()).getDirectoryHandle(OPFS_ROOT_DIRECTORY, { create });
}

export async function transferDirectory(transferId: string, create: boolean): Promise<FileSystemDirectoryHandle> {
  return (await rootDirectory(create)).getDirectoryHandle(transferId, { create });
}

/**
 * Removes a transfer's files; nothing to do where there are none, or no OPFS at all. Fails while a sync access
 * handle is open on one of them (the caller closes its own first, and another tab's are excluded by the transfer lock).
 */
export async function removeTransferDirectory(transferId: string): Promise<void> {
  if (typeof navigator === 'undefined' || typeof navigator.storage?.getDirectory !== 'function') return;
  const root = await rootDirectory(false).catch(() => undefined);
  await root?.removeEntry(transferId, { recursive: true }).catch((error: unknown) => {
    if (!(error instanceof DOMException && error.name === 'NotFoundError')) throw error;
  });
}

/** A stored file as a disk-backed Blob (nothing read into memory); no sync access handle may be open on it. */
export async function storedFile(transferId: string, file: number, entry: FileEntry): Promise<Blob> {
  if (entry.size === 0) return new Blob([], { type: entry.type });
  const stored = await (await (await transferDirectory(transferId, false)).getFileHandle(String(file))).getFile();
  if (stored.size !== entry.size) throw new Error(`the stored file has ${stored.size} bytes, not ${entry.size}`);
  return new Blob([stored], { type: entry.type });
}

/** Removes one file of a transfer; nothing to do where it is not there. */
export async function removeTransferFile(transferId: string, file: number): Promise<void> {
  await (await transferDirectory(transferId, false).catch(() => undefined))?.removeEntry(String(file)).catch(() => undefined);
}
