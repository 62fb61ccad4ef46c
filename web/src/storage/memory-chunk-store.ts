import type { Manifest } from '../transfer/protocol.ts';
import type { KeptLink } from './database.ts';
import type { ReceiverStore, Rejoin } from './stored-transfers.ts';

interface StoredChunk {
  payload: Uint8Array<ArrayBuffer>;
  hash: Uint8Array;
}

/**
 * Keeps chunks in memory: for tests, and a last resort where IndexedDB is unavailable. Nothing outlives the page,
 * so there is nothing to rejoin with and nothing to keep.
 */
export class MemoryChunkStore implements ReceiverStore {
  #manifest: Manifest | undefined;
  #files: Array<Map<number, StoredChunk>> = [];

  async open(manifest: Manifest): Promise<number[]> {
    if (this.#manifest?.transferId !== manifest.transferId) {
      this.#manifest = manifest;
      this.#files = manifest.files.map(() => new Map());
    }
    return this.#files.map((chunks) => {
      let have = 0;
      while (chunks.has(have)) have++;
      return have;
    });
  }

  async put(file: number, chunk: number, payload: Uint8Array, hash: Uint8Array): Promise<void> {
    // The payload is a view into a frame received from the channel; keep only its own bytes.
    this.#chunks(file).set(chunk, { payload: payload.slice(), hash: hash.slice() });
  }

  async flush(): Promise<void> {}

  async hashes(file: number): Promise<Uint8Array[]> {
    return this.#ordered(file).map((c) => c.hash);
  }

  async blob(file: number): Promise<Blob> {
    const entry = this.#manifest?.files[file];
    return new Blob(this.#ordered(file).map((c) => c.payload), { type: entry?.type ?? '' });
  }

  async discard(file: number): Promise<void> {
    this.#chunks(file).clear();
  }

  async verified(_file: number): Promise<void> {}

  async accepted(): Promise<boolean> {
    return this.#manifest !== undefined;
  }

  async rejoin(): Promise<Rejoin> {
    return {};
  }

  async keep(_link: KeptLink): Promise<void> {}

  async forget(): Promise<void> {
    this.#manifest = undefined;
    this.#files = [];
  }

  #chunks(file: number): Map<number, StoredChunk> {
    const chunks = this.#files[file];
    if (!chunks) throw new RangeError(`no file ${file} in this transfer`);
    return chunks;
  }

  #ordered(file: number): StoredChunk[] {
    return [...this.#chunks(file).entries()].sort(([a], [b]) => a - b).map(([, c]) => c);
  }
}
