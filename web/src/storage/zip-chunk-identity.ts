import { makeZip } from 'client-zip';

/**
 * Whether client-zip hands an input's chunk on as the same Uint8Array. The zip worker (zip-writer.worker.ts)
 * relies on it to learn that its one read buffer was written and may be read into again; a client-zip that copied
 * chunks would leave Save all waiting for ever, so the worker then takes a fresh buffer per piece instead (more
 * memory, the same zip). Found out on a tiny zip.
 */
export async function clientZipPassesChunksThrough(): Promise<boolean> {
  const piece = new Uint8Array(8);
  const input = (async function* () {
    yield piece;
  })();
  const reader = makeZip([{ name: 'probe', input, size: piece.byteLength, lastModified: new Date(0) }]).getReader();
  let seen = false;
  for (let read = await reader.read(); !read.done; read = await reader.read()) seen ||= read.value === piece;
  return seen;
}
