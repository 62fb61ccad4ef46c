/**
 * A scratch file in the origin private file system that a zip is written into before it is downloaded
 * (app/save-all.ts): the download then reads a disk-backed File, so the zip is never whole in memory.
 * `dropline-zips/<random>.zip`, beside the received files' `dropline/` (storage/opfs-directory.ts).
 * A worker writes it (zip-writer.worker.ts) through a sync access handle, reading the inputs into one buffer
 * used again and again: piping `blob.stream()` into `createWritable()` from the page allocated a buffer per
 * piece and grew the renderer by about 100 MiB per gigabyte (docs/architecture.md, "Saving").
 */
import type { ZipEntry, ZipReply, ZipRequest } from './zip-messages.ts';

export type { ZipEntry } from './zip-messages.ts';

const SCRATCH_DIRECTORY = 'dropline-zips';
/** A zip another tab may still be downloading is left alone for this long. */
const KEEP_MS = 60 * 60 * 1000;

/**
 * Whether this browser may write a scratch zip: OPFS and workers. Whether the worker can open a sync access handle
 * (private windows, older engines may refuse) is only known by trying: zipToScratch then fails with NotSupportedError.
 */
export const canWriteScratch = (): boolean =>
  typeof navigator !== 'undefined' && typeof navigator.storage?.getDirectory === 'function' && typeof Worker !== 'undefined';

/**
 * Zips `entries` (stored entries, in this order) into a new scratch file and returns it once written: disk-backed,
 * nothing read into memory. Scratch files older than an hour are removed first, since their downloads are over.
 * A zip that fails part way is removed. The error is a DOMException where the worker's was one (a full disk
 * stays a QuotaExceededError; a refused sync access handle is a NotSupportedError).
 */
export async function zipToScratch(entries: ZipEntry[]): Promise<File> {
  const directory = await (await navigator.storage.getDirectory()).getDirectoryHandle(SCRATCH_DIRECTORY, { create: true });
  await removeOld(directory);
  const name = `${crypto.randomUUID()}.zip`;
  const handle = await directory.getFileHandle(name, { create: true });
  const worker = new Worker(new URL('./zip-writer.worker.ts', import.meta.url), { type: 'module' });
  try {
    const reply = await new Promise<ZipReply>((resolve, reject) => {
      worker.addEventListener('message', (event: MessageEvent<ZipReply>) => resolve(event.data));
      worker.addEventListener('error', (event) => reject(new DOMException(event.message || 'the zip worker failed', 'NotSupportedError')));
      worker.postMessage({ directory: SCRATCH_DIRECTORY, name, entries } satisfies ZipRequest);
    });
    if (reply.error) throw new DOMException(reply.error.message, reply.error.name);
    return await handle.getFile();
  } catch (error) {
    await directory.removeEntry(name).catch(() => undefined);
    throw error;
  } finally {
    worker.terminate();
  }
}

async function removeOld(directory: FileSystemDirectoryHandle): Promise<void> {
  const now = Date.now();
  for await (const [name, handle] of directory.entries()) {
    if (handle.kind !== 'file') continue;
    const file = await (handle as FileSystemFileHandle).getFile().catch(() => undefined);
    if (file && now - file.lastModified > KEEP_MS) await directory.removeEntry(name).catch(() => undefined);
  }
}
