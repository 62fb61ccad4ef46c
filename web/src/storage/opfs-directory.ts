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
