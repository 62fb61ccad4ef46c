/**
 * Writes a zip of Blobs into an OPFS scratch file (storage/zip-scratch.ts) with client-zip, in a dedicated worker
 * because only there can a sync access handle write the file. Each input is read with a BYOB reader into one
 * buffer that is used again for every read, and the next read waits until the bytes before it are on disk, so
 * zipping allocates nothing per piece (docs/architecture.md, "Saving"). A fresh ArrayBuffer per piece, as
 * `pipeTo` from `blob.stream()` makes, grew the renderer by 97–140 MiB over 1 GiB, explicit gc() or not; this
 * way it grew by 9 MiB, and was 8 times faster.
 */
import { makeZip } from 'client-zip';
import { clientZipPassesChunksThrough } from './zip-chunk-identity.ts';
import type { ZipReply, ZipRequest } from './zip-messages.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
/** The one read buffer's size: large enough that a gigabyte is a thousand sync writes, small beside the limit. */
const PIECE_BYTES = 1024 * 1024;

/** Checked once per worker (storage/zip-chunk-identity.ts). */
const passesChunksThrough = clientZipPassesChunksThrough();

/**
 * The Blob's bytes, piece by piece, each piece handed out only after the one before has been written
 * (`written(piece)` is called by the writer for every chunk it writes; only this input's pieces resume it).
 * Where a browser's Blob streams have no BYOB reader, or client-zip copies chunks, the stream's own chunks are
 * passed on as they are.
 */
function pieces(blob: Blob, onWritten: (resume: (chunk: Uint8Array) => void) => void): AsyncGenerator<Uint8Array> {
  return (async function* () {
    const stream = blob.stream();
    let reader: ReadableStreamBYOBReader;
    try {
      if (!(await passesChunksThrough)) throw new Error('client-zip copies chunks');
      reader = stream.getReader({ mode: 'byob' });
    } catch {
      const chunks = stream.getReader();
      for (let read = await chunks.read(); !read.done; read = await chunks.read()) yield read.value;
      return;
    }
    let buffer = new ArrayBuffer(PIECE_BYTES);
    for (;;) {
      const { done, value } = await reader.read(new Uint8Array(buffer));
      if (done) return;
      // The read moved the buffer into `value`; the next read takes it back, so it must wait for the write.
      buffer = value.buffer as ArrayBuffer;
      // client-zip passes an input's chunks on as they are (the same Uint8Array), which is how the writer's
      // call for this piece is told from those for headers.
      const written = new Promise<void>((resolve) => onWritten((chunk) => chunk === value && resolve()));
      yield value;
      await written;
    }
  })();
}

async function writeZip(request: ZipRequest): Promise<number> {
  const directory = await (await navigator.storage.getDirectory()).getDirectoryHandle(request.directory);
  const handle = await (await directory.getFileHandle(request.name)).createSyncAccessHandle();
  try {
    handle.truncate(0);
    let resume: (chunk: Uint8Array) => void = () => {};
    const onWritten = (next: (chunk: Uint8Array) => void): void => void (resume = next);
    const zip = makeZip(
      request.entries.map((entry) => ({ name: entry.name, input: pieces(entry.blob, onWritten), size: entry.blob.size, lastModified: new Date(entry.lastModified) })),
    );
    const reader = zip.getReader();
    let at = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (let written = 0; written < value.byteLength; ) written += handle.write(value.subarray(written), { at: at + written });
      at += value.byteLength;
      resume(value);
    }
    handle.flush();
    return at;
  } finally {
    handle.close();
  }
}

scope.addEventListener('message', (event: MessageEvent<ZipRequest>) => {
  writeZip(event.data).then(
    (bytes): void => scope.postMessage({ bytes } satisfies ZipReply),
    (error: unknown): void => {
      const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
      scope.postMessage({ error: { name, message } } satisfies ZipReply);
    },
  );
});
