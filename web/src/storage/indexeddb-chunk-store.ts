import type { ChunkBytes } from './chunk-bytes.ts';
import { DATABASE_NAME, openDatabase, type BatchRecord, type DroplineDatabase } from './database.ts';
import { StorageFullError, TransferBusyError, type ChunkStore } from '../transfer/chunk-store.ts';
import { HASH_BYTES, chunkCount, sameTransfer, type Manifest } from '../transfer/protocol.ts';

/** A batch is written once it holds this much: big enough for IndexedDB's fast path (design.md §8). */
const BATCH_BYTES = 4 * 1024 * 1024;
/** A partly filled batch is written after this long (up to twice this) without new chunks, so the sender's window never stalls on it. */
const IDLE_FLUSH_MS = 30;

interface PendingChunk {
  chunk: number;
  payload: Uint8Array;
  hash: Uint8Array;
  committed: () => void;
  failed: (error: unknown) => void;
}

/**
 * Records received chunks in IndexedDB, several MiB per transaction, with
 * their hashes, so a reload or a lost connection loses nothing that was
 * acknowledged and a resumed transfer need not hash again. The bytes go where
 * `bytes` keeps them, and a batch is recorded only once they are written.
 */
export class IndexedDbChunkStore implements ChunkStore {
  readonly #db: Promise<DroplineDatabase>;
  readonly #bytes: ChunkBytes;
  #manifest: Manifest | undefined;
  /** Per file: chunks verified but not yet written. */
  #pending = new Map<number, PendingChunk[]>();
  #pendingBytes = new Map<number, number>();
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #putSinceArmed = false;
  /** Writes in progress, so flush() can wait for them. */
  #writing = new Set<Promise<void>>();
  #nextSeq = 0;
  /** The transfer this store holds the Web Lock of, and how to let it go. */
  #held: { key: string; release: () => void } | undefined;
  /** Under which key everything of this transfer is kept: records, batches, bytes and the Web Lock. */
  readonly #key: string;

  /**
   * `key` names the transfer in storage. The receiver derives it from the link, so a peer that claims another
   * transfer's id in its manifest cannot reach that transfer's chunks (docs/security.md, "Storage").
   */
  constructor(bytes: ChunkBytes, key: string, databaseName = DATABASE_NAME) {
    this.#bytes = bytes;
    this.#key = key;
    this.#db = openDatabase(databaseName);
  }

  /** Whether this browser offers IndexedDB at all (some private modes and old WebViews do not). */
  static get available(): boolean {
    return typeof indexedDB !== 'undefined';
  }

  async open(manifest: Manifest): Promise<number[]> {
    const key = this.#key;
    await this.#hold(key);
    const db = await this.#db;
    const now = Date.now();
    const known = await db.get('transfers', key);
    if (known && !sameTransfer(known.manifest, manifest)) {
      // Another transfer, or other files or chunking: what is stored cannot be trusted for this manifest.
      await db.delete('batches', transferRange(key));
      await this.#bytes.remove(key);
    }
    const record = { id: key, manifest, createdAt: known?.createdAt ?? now, updatedAt: now };
    await db.put('transfers', record);
    this.#manifest = manifest;
    const have: number[] = [];
    for (let file = 0; file < manifest.files.length; file++) {
      const stored = new Set<number>();
      for (const batch of await db.getAll('batches', fileRange(key, file))) {
        batch.chunks.forEach((c) => stored.add(c));
        this.#nextSeq = Math.max(this.#nextSeq, batch.seq + 1);
      }
      let contiguous = 0;
      while (stored.has(contiguous)) contiguous++;
      have.push(contiguous);
    }
    return have;
  }

  put(file: number, chunk: number, payload: Uint8Array, hash: Uint8Array): Promise<void> {
    const manifest = this.#requireManifest();
    if (!manifest.files[file]) return Promise.reject(new RangeError(`no file ${file} in this transfer`));
    return new Promise((committed, failed) => {
      const pending = this.#pending.get(file) ?? [];
      // The hash is a view into the payload's frame, whose buffer `bytes` may take: keep a copy.
      pending.push({ chunk, payload, hash: hash.slice(), committed, failed });
      this.#pending.set(file, pending);
      const bytes = (this.#pendingBytes.get(file) ?? 0) + payload.byteLength;
      this.#pendingBytes.set(file, bytes);
      const lastChunk = chunkCount(manifest.files[file]!.size, manifest.chunkSize) - 1;
      if (bytes >= BATCH_BYTES || chunk === lastChunk) this.#write(file);
      else this.#armIdleFlush();
    });
  }

  async flush(): Promise<void> {
    for (const file of [...this.#pending.keys()]) this.#write(file);
    await Promise.allSettled([...this.#writing]);
  }

  async hashes(file: number): Promise<Uint8Array[]> {
    const hashes: Uint8Array[] = [];
    for (const batch of await this.#batches(file)) {
      batch.chunks.forEach((chunk, i) => (hashes[chunk] = new Uint8Array(batch.hashes, i * HASH_BYTES, HASH_BYTES)));
    }
    return hashes;
  }

  async blob(file: number): Promise<Blob> {
    const manifest = this.#requireManifest();
    const entry = manifest.files[file];
    if (!entry) throw new RangeError(`no file ${file} in this transfer`);
    return this.#bytes.assemble(this.#key, file, entry, manifest.chunkSize, await this.#batches(file));
  }

  async discard(file: number): Promise<void> {
    this.#requireManifest();
    // The dropped chunks count as settled: the receiver still owes the sender credit for them.
    for (const dropped of this.#pending.get(file) ?? []) dropped.committed();
    this.#pending.delete(file);
    this.#pendingBytes.delete(file);
    await Promise.allSettled([...this.#writing]);
    await (await this.#db).delete('batches', fileRange(this.#key, file));
    await this.#bytes.remove(this.#key, file);
  }

  /** Closes the database and lets another tab take the transfer; the store is unusable afterwards. */
  async close(): Promise<void> {
    await this.flush();
    (await this.#db).close();
    this.#held?.release();
    this.#held = undefined;
  }

  /** The file's stored batches in write order, after writing what is pending. */
  async #batches(file: number): Promise<BatchRecord[]> {
    this.#requireManifest();
    await this.flush();
    return (await this.#db).getAll('batches', fileRange(this.#key, file));
  }

  /**
   * Takes the transfer's Web Lock, held until close() or the tab goes away, so
   * a second tab of this browser opening the same link is told rather than
   * writing over the first one's files.
   */
  async #hold(key: string): Promise<void> {
    if (this.#held?.key === key || typeof navigator === 'undefined' || !navigator.locks) return;
    this.#held?.release();
    this.#held = undefined;
    const release = await new Promise<(() => void) | undefined>((granted) => {
      void navigator.locks.request(`dropline-transfer:${key}`, { ifAvailable: true }, (lock) => {
        if (!lock) return granted(undefined);
        return new Promise<void>((done) => granted(done));
      });
    });
    if (!release) throw new TransferBusyError(TRANSFER_BUSY_MESSAGE);
    this.#held = { key, release };
  }

  /**
   * Flushes a partly filled batch once chunks stop coming for IDLE_FLUSH_MS. The timer is armed once and looks
   * again when it fires, rather than being cleared and set on every put (1024 times per 256 MiB).
   */
  #armIdleFlush(): void {
    this.#putSinceArmed = true;
    if (this.#idleTimer === undefined) this.#startIdleTimer();
  }

  #startIdleTimer(): void {
    this.#putSinceArmed = false;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      if (this.#putSinceArmed) this.#startIdleTimer();
      else for (const file of [...this.#pending.keys()]) this.#write(file);
    }, IDLE_FLUSH_MS);
  }

  /** Writes one file's pending chunks as one batch; settles each chunk's put() with the transaction. */
  #write(file: number): void {
    const pending = this.#pending.get(file);
    if (!pending || pending.length === 0) return;
    this.#pending.delete(file);
    this.#pendingBytes.delete(file);
    const hashes = new Uint8Array(pending.length * HASH_BYTES);
    pending.forEach((p, i) => hashes.set(p.hash, i * HASH_BYTES));
    const { chunkSize } = this.#requireManifest();
    const transferId = this.#key;
    const seq = this.#nextSeq++;
    const chunks = pending.map((p) => p.chunk);
    const write = Promise.all([this.#db, this.#bytes.write(transferId, file, chunkSize, pending)])
      .then(async ([db, data]) => {
        const record: BatchRecord = { transferId, file, seq, chunks, hashes: hashes.buffer, ...(data && { data }) };
        // Relaxed: committed means handed to the OS, without waiting for a flush to the disk. A crash of the
        // whole machine can lose the last batches; open() then reports them missing and they are sent again.
        // OPFS bytes are not flushed either, so such a crash could also keep a record whose bytes were lost:
        // a resume after a restart should hash the stored file again (not done yet).
        const tx = db.transaction('batches', 'readwrite', { durability: 'relaxed' });
        await Promise.all([tx.store.put(record), tx.done]);
      })
      .then(
        () => pending.forEach((p) => p.committed()),
        (error: unknown) => {
          const reason = isQuotaError(error) ? new StorageFullError(STORAGE_FULL_MESSAGE) : error;
          pending.forEach((p) => p.failed(reason));
        },
      );
    this.#writing.add(write);
    void write.finally(() => this.#writing.delete(write));
  }

  #requireManifest(): Manifest {
    if (!this.#manifest) throw new Error('the chunk store was used before open()');
    return this.#manifest;
  }
}

export const TRANSFER_BUSY_MESSAGE =
  'Another tab of this browser is already receiving these files. Close that tab, then reload this one: what it received is kept.';

export const STORAGE_FULL_MESSAGE =
  'This device has no room left for the files. What arrived so far is kept: free up space, then press Try again to continue.';

function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && (error.name === 'QuotaExceededError' || error.name === 'UnknownError' && /quota|space/i.test(error.message));
}


const fileRange = (transferId: string, file: number): IDBKeyRange =>
  IDBKeyRange.bound([transferId, file, 0], [transferId, file, Number.MAX_SAFE_INTEGER]);

const transferRange = (transferId: string): IDBKeyRange =>
  IDBKeyRange.bound([transferId, 0, 0], [transferId, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]);
