import { hashChunks } from './frame-reader.ts';
import { HASH_BYTES, chunkCount } from './protocol.ts';

/** The hashes of one file's chunks 0…n-1 at one chunk size, side by side: what a reload of the sender keeps. */
export interface HashPrefix {
  file: number;
  chunkSize: number;
  /** n SHA-256 hashes, 32 bytes each. */
  hashes: Uint8Array;
}

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
  #count = 0;

  /** Hashes kept from a previous page of the share (see prefixes()). */
  static from(prefixes: readonly HashPrefix[]): ShareHashes {
    const hashes = new ShareHashes();
    for (const { file, chunkSize, hashes: side } of prefixes) {
      for (let chunk = 0; chunk * HASH_BYTES < side.byteLength; chunk++) {
        hashes.set(file, chunkSize, chunk, side.slice(chunk * HASH_BYTES, (chunk + 1) * HASH_BYTES));
      }
    }
    return hashes;
  }

  /** How many hashes were set so far: a keeper saves again only when it grew. */
  get count(): number {
    return this.#count;
  }

  /** Per file and chunk size, the hashes known from chunk 0 on without a gap. */
  prefixes(): HashPrefix[] {
    const prefixes: HashPrefix[] = [];
    for (const [name, hashes] of this.#byFile) {
      const [file, chunkSize] = name.split('/').map(Number) as [number, number];
      let known = 0;
      while (hashes[known]) known++;
      if (known === 0) continue;
      const side = new Uint8Array(known * HASH_BYTES);
      for (let chunk = 0; chunk < known; chunk++) side.set(hashes[chunk]!, chunk * HASH_BYTES);
      prefixes.push({ file, chunkSize, hashes: side });
    }
    return prefixes;
  }

  get(file: number, chunkSize: number, chunk: number): Uint8Array | undefined {
    return this.#byFile.get(key(file, chunkSize))?.[chunk];
  }

  set(file: number, chunkSize: number, chunk: number, hash: Uint8Array): void {
    const hashes = this.#byFile.get(key(file, chunkSize)) ?? [];
    if (!hashes[chunk]) this.#count++;
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
