import { hashChunks } from './frame-reader.ts';
import { chunkCount } from './protocol.ts';

/** What hashAhead() needs of a file: its bytes and their size. */
export interface HashableFile {
  blob: Blob;
  entry: { size: number };
}

/**
 * The chunk hashes of one share's files, kept for every receiver of it: a chunk
 * is hashed once however many receivers it goes to, and hashAhead() hashes
 * while nobody is being sent to (the link being passed on), so that sending
 * later reads and sends but does not hash. Keyed by chunk size as well: a
 * receiver whose channel takes smaller messages gets other chunks.
 */
export class ShareHashes {
  readonly #byFile = new Map<string, Array<Uint8Array | undefined>>();

  get(file: number, chunkSize: number, chunk: number): Uint8Array | undefined {
    return this.#byFile.get(key(file, chunkSize))?.[chunk];
  }

  set(file: number, chunkSize: number, chunk: number, hash: Uint8Array): void {
    const hashes = this.#byFile.get(key(file, chunkSize)) ?? [];
    hashes[chunk] = hash;
    this.#byFile.set(key(file, chunkSize), hashes);
  }

  /**
   * Hashes, file by file, every chunk not hashed yet, until `yieldTo()` says a
   * transfer wants the CPU (it is asked before each chunk) or `skip(file)` says
   * a file is no longer sent. Resolves with whether every chunk is hashed; call
   * it again once the CPU is free to go on from there.
   */
  async hashAhead(files: readonly HashableFile[], chunkSize: number, yieldTo: () => boolean, skip: (file: number) => boolean = () => false): Promise<boolean> {
    for (const [file, { blob, entry }] of files.entries()) {
      if (skip(file)) continue;
      const chunks = chunkCount(entry.size, chunkSize);
      let first = 0;
      while (first < chunks && this.get(file, chunkSize, first)) first++;
      if (first === chunks) continue;
      if (yieldTo()) return false;
      for await (const { chunk, hash } of hashChunks(blob, entry.size, chunkSize, first, chunks)) {
        this.set(file, chunkSize, chunk, hash);
        if (yieldTo() || skip(file)) return false;
      }
    }
    return true;
  }
}

const key = (file: number, chunkSize: number): string => `${file}/${chunkSize}`;
