/**
 * A scratch file in the origin private file system that a zip is streamed into before it is downloaded
 * (app/save-all.ts): the download then reads a disk-backed File, so the zip is never whole in memory.
 * `dropline-zips/<random>.zip`, beside the received files' `dropline/` (storage/opfs-directory.ts).
 */

const SCRATCH_DIRECTORY = 'dropline-zips';
/** A zip another tab may still be downloading is left alone for this long. */
const KEEP_MS = 60 * 60 * 1000;

/** Whether this browser can write an OPFS file from the page (FileSystemWritableFileStream on OPFS handles). */
export const canWriteScratch = (): boolean =>
  typeof navigator !== 'undefined' &&
  typeof navigator.storage?.getDirectory === 'function' &&
  typeof FileSystemFileHandle !== 'undefined' &&
  'createWritable' in FileSystemFileHandle.prototype;

export interface ScratchFile {
  writable: FileSystemWritableFileStream;
  /** The written file, once `writable` is closed: disk-backed, nothing read into memory. */
  file(): Promise<File>;
}

/** A new scratch file; scratch files older than an hour are removed first, since their downloads are over. */
export async function newScratchFile(): Promise<ScratchFile> {
  const directory = await (await navigator.storage.getDirectory()).getDirectoryHandle(SCRATCH_DIRECTORY, { create: true });
  await removeOld(directory);
  const handle = await directory.getFileHandle(`${crypto.randomUUID()}.zip`, { create: true });
  return { writable: await handle.createWritable(), file: () => handle.getFile() };
}

async function removeOld(directory: FileSystemDirectoryHandle): Promise<void> {
  const now = Date.now();
  for await (const [name, handle] of directory.entries()) {
    if (handle.kind !== 'file') continue;
    const file = await (handle as FileSystemFileHandle).getFile().catch(() => undefined);
    if (file && now - file.lastModified > KEEP_MS) await directory.removeEntry(name).catch(() => undefined);
  }
}
