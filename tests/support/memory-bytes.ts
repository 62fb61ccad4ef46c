import { createHash } from 'node:crypto';
import type { ChunkBytes, PayloadToStore, RecordedBatch, StoredBatch } from '../../web/src/storage/chunk-bytes.ts';
import { HASH_BYTES, type FileEntry } from '../../web/src/transfer/protocol.ts';

/**
 * Chunk bytes kept in memory by (store key, file, chunk): what the IndexedDB chunk store would write to OPFS. The
 * disk can be damaged as a crash would: a chunk's bytes changed, a file cut short, or what was not flushed lost.
 */
export class MemoryBytes implements ChunkBytes {
  /** What the OS holds, by `key/file`. */
  readonly files = new Map<string, Map<number, Uint8Array>>();
  /** What reached the disk at the last flush. */
  #flushed = new Map<string, Map<number, Uint8Array>>();
  /** How many chunks check() has read. */
  checked = 0;

  async write(key: string, file: number, _chunkSize: number, chunks: readonly PayloadToStore[]): Promise<undefined> {
    const stored = this.files.get(`${key}/${file}`) ?? new Map<number, Uint8Array>();
    for (const { chunk, payload } of chunks) stored.set(chunk, payload.slice());
    this.files.set(`${key}/${file}`, stored);
    // As the OPFS keeper does: the frames are transferred to its worker, and detached on this side.
    structuredClone(null, { transfer: [...new Set(chunks.map((c) => c.payload.buffer as ArrayBuffer))] });
    return undefined;
  }

  async assemble(key: string, file: number, entry: FileEntry, _chunkSize: number, _batches: readonly StoredBatch[]): Promise<Blob> {
    const stored = this.files.get(`${key}/${file}`) ?? new Map();
    return new Blob([...stored.entries()].sort(([a], [b]) => a - b).map(([, bytes]) => bytes as Uint8Array<ArrayBuffer>), { type: entry.type });
  }

  async remove(key: string, file?: number): Promise<void> {
    for (const files of [this.files, this.#flushed]) {
      for (const name of [...files.keys()]) if (name === `${key}/${file}` || (file === undefined && name.startsWith(`${key}/`))) files.delete(name);
    }
  }

  async flush(key: string): Promise<void> {
    for (const [name, chunks] of this.files) if (name.startsWith(`${key}/`)) this.#flushed.set(name, new Map(chunks));
  }

  async check(key: string, file: number, _entry: FileEntry, _chunkSize: number, batch: RecordedBatch): Promise<number[]> {
    await this.flush(key);
    const stored = this.files.get(`${key}/${file}`);
    return batch.chunks.filter((chunk, i) => {
      this.checked++;
      const bytes = stored?.get(chunk);
      const hash = Buffer.from(batch.hashes, i * HASH_BYTES, HASH_BYTES);
      return !bytes || !createHash('sha256').update(bytes).digest().equals(hash);
    });
  }

  /** A bit flipped in a stored chunk. */
  corrupt(key: string, file: number, chunk: number): void {
    const bytes = this.files.get(`${key}/${file}`)?.get(chunk);
    if (!bytes) throw new Error(`no chunk ${chunk} stored`);
    bytes[0]! ^= 1;
  }

  /** The file cut short after `chunks` chunks. */
  truncate(key: string, file: number, chunks: number): void {
    const stored = this.files.get(`${key}/${file}`);
    for (const chunk of [...(stored?.keys() ?? [])]) if (chunk >= chunks) stored!.delete(chunk);
  }

  /** The machine lost power: what was not flushed is gone. */
  loseUnflushed(): void {
    this.files.clear();
    for (const [name, chunks] of this.#flushed) this.files.set(name, new Map(chunks));
  }
}
