/**
 * Writes received chunk bytes into the origin private file system. Sync access
 * handles exist only in dedicated workers; they write straight to the file from
 * this thread, where IndexedDB Blobs cross to the browser process and are copied
 * twice on the way to disk (design.md §5, as amended in the transfer-engine issue).
 *
 * Files live at `dropline/<transferId>/<file index>`; each chunk is written at
 * its place in the file, so a chunk sent again simply overwrites itself.
 */
import { removeTransferDirectory, removeTransferFile, transferDirectory } from './opfs-directory.ts';
import type { OpfsRequest, OpfsReply } from './opfs-messages.ts';
import { equalBytes, sha256 } from '../transfer/hashing.ts';
import { HASH_BYTES, chunkLength } from '../transfer/protocol.ts';

const handles = new Map<string, Promise<FileSystemSyncAccessHandle>>();
const scope = self as unknown as DedicatedWorkerGlobalScope;

const keyOf = (transferId: string, file: number): string => `${transferId}/${file}`;

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

/** The files of the transfer this worker has a handle on. */
function openFiles(transferId: string): number[] {
  return [...handles.keys()].filter((key) => key.startsWith(`${transferId}/`)).map((key) => Number(key.slice(transferId.length + 1)));
}

async function removeTransfer(transferId: string): Promise<void> {
  await Promise.all(openFiles(transferId).map((file) => close(transferId, file)));
  await removeTransferDirectory(transferId);
}

/**
 * Re-reads stored chunks after a crash (docs/architecture.md, "Stored records"): one chunk at a time into one
 * buffer, so a file of any size is checked in a chunk's worth of memory. Flushed first, so what checks out here is
 * what the disk holds, and the store may count it durable.
 */
async function check(request: Extract<OpfsRequest, { op: 'check' }>): Promise<number[]> {
  const handle = await handleFor(request.transferId, request.file);
  handle.flush();
  const stored = handle.getSize();
  const buffer = new Uint8Array(request.chunkSize);
  const bad: number[] = [];
  for (const [i, chunk] of request.chunks.entries()) {
    const at = chunk * request.chunkSize;
    const length = chunkLength(request.size, request.chunkSize, chunk);
    const bytes = buffer.subarray(0, length);
    const intact =
      at + length <= stored &&
      handle.read(bytes, { at }) === length &&
      equalBytes(await sha256(bytes), new Uint8Array(request.hashes, i * HASH_BYTES, HASH_BYTES));
    if (!intact) bad.push(chunk);
  }
  return bad;
}

async function removeFile(transferId: string, file: number): Promise<void> {
  await close(transferId, file);
  await removeTransferFile(transferId, file);
}

/** Runs one request; a check answers with the chunks that failed it. */
async function run(request: OpfsRequest): Promise<number[] | undefined> {
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
    case 'flush':
      for (const file of openFiles(request.transferId)) (await handles.get(keyOf(request.transferId, file))?.catch(() => undefined))?.flush();
      return;
    case 'check':
      return check(request);
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
      const bad = await run(request);
      reply = bad ? { id: request.id, bad } : { id: request.id };
    } catch (error) {
      const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
      reply = { id: request.id, error: { name, message } };
    }
    scope.postMessage(reply, spentBuffers(request));
  });
});
