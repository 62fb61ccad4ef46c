/**
 * Writes received chunk bytes into the origin private file system. Sync access
 * handles exist only in dedicated workers; they write straight to the file from
 * this thread, where IndexedDB Blobs cross to the browser process and are copied
 * twice on the way to disk (design.md §5, as amended in the transfer-engine issue).
 *
 * Files live at `dropline/<transferId>/<file index>`; each chunk is written at
 * its place in the file, so a chunk sent again simply overwrites itself.
 */
import { OPFS_ROOT_DIRECTORY as ROOT_DIRECTORY, type OpfsRequest, type OpfsReply } from './opfs-messages.ts';

const handles = new Map<string, Promise<FileSystemSyncAccessHandle>>();
const scope = self as unknown as DedicatedWorkerGlobalScope;

const keyOf = (transferId: string, file: number): string => `${transferId}/${file}`;

async function rootDirectory(create: boolean): Promise<FileSystemDirectoryHandle> {
  return (await navigator.storage.getDirectory()).getDirectoryHandle(ROOT_DIRECTORY, { create });
}

async function transferDirectory(transferId: string, create: boolean): Promise<FileSystemDirectoryHandle> {
  return (await rootDirectory(create)).getDirectoryHandle(transferId, { create });
}

function handleFor(transferId: string, file: number): Promise<FileSystemSyncAccessHandle> {
  const key = keyOf(transferId, file);
  let handle = handles.get(key);
  if (!handle) {
    handle = transferDirectory(transferId, true)
      .then((dir) => dir.getFileHandle(String(file), { create: true }))
      .then((fileHandle) => fileHandle.createSyncAccessHandle());
    handles.set(key, handle);
    // A failed open must not stick: the next write tries again.
    handle.catch(() => handles.delete(key));
  }
  return handle;
}

/** Releases a file's lock, so the page can read it with getFile() or it can be removed. */
async function close(transferId: string, file: number): Promise<void> {
  const key = keyOf(transferId, file);
  const handle = handles.get(key);
  if (!handle) return;
  handles.delete(key);
  (await handle.catch(() => undefined))?.close();
}

async function removeTransfer(transferId: string): Promise<void> {
  const files = [...handles.keys()].filter((key) => key.startsWith(`${transferId}/`)).map((key) => Number(key.slice(transferId.length + 1)));
  await Promise.all(files.map((file) => close(transferId, file)));
  await (await rootDirectory(false).catch(() => undefined))?.removeEntry(transferId, { recursive: true }).catch(() => undefined);
}

async function removeFile(transferId: string, file: number): Promise<void> {
  await close(transferId, file);
  await (await transferDirectory(transferId, false).catch(() => undefined))?.removeEntry(String(file)).catch(() => undefined);
}

async function run(request: OpfsRequest): Promise<void> {
  switch (request.op) {
    case 'probe': {
      // Some browsers (private windows, old engines) expose the API but refuse to open a handle.
      await handleFor(request.transferId, 0);
      await removeTransfer(request.transferId);
      return;
    }
    case 'write': {
      const handle = await handleFor(request.transferId, request.file);
      for (const piece of request.pieces) {
        const bytes = new Uint8Array(piece.buffer, piece.offset, piece.length);
        let written = 0;
        while (written < bytes.byteLength) written += handle.write(bytes.subarray(written), { at: piece.at + written });
      }
      return;
    }
    case 'close':
      await close(request.transferId, request.file);
      return;
    case 'remove':
      await (request.file === undefined ? removeTransfer(request.transferId) : removeFile(request.transferId, request.file));
      return;
  }
}

/**
 * The written frames go back to the page with the reply, to be dropped there.
 * This thread allocates almost nothing on its JS heap, so its garbage
 * collector runs rarely and dropped frames piled up outside the heap: the
 * receiving renderer grew by 92–100 MiB on 256 MiB, against 61–67 MiB with
 * the frames handed back to the page, whose collector runs often.
 * (Detaching them here with ArrayBuffer.prototype.transfer(0) freed nothing:
 * the renderer grew by the whole file.)
 */
function spentBuffers(request: OpfsRequest): ArrayBuffer[] {
  return request.op === 'write' ? [...new Set(request.pieces.map((piece) => piece.buffer))] : [];
}

// Requests run one after another: a close or remove must not overtake the writes sent before it.
let queue: Promise<void> = Promise.resolve();
scope.addEventListener('message', (event: MessageEvent<OpfsRequest>) => {
  const request = event.data;
  queue = queue.then(async () => {
    let reply: OpfsReply;
    try {
      await run(request);
      reply = { id: request.id };
    } catch (error) {
      const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
      reply = { id: request.id, error: { name, message } };
    }
    scope.postMessage(reply, spentBuffers(request));
  });
});
