import type { ChunkBytes } from './chunk-bytes.ts';
import {
  DATABASE_NAME,
  deleteTransferRecords,
  fileRange,
  openDatabase,
  transferRange,
  type BatchRecord,
  type DroplineDatabase,
  type KeptLink,
  type StoredFileState,
  type TransferRecord,
} from './database.ts';
import type { ReceiverStore, Rejoin } from './stored-transfers.ts';
import { holdTransfer, transferHeld } from './transfer-lock.ts';
import { StorageFullError, TransferBusyError } from '../transfer/chunk-store.ts';
import { HASH_BYTES, chunkCount, sameTransfer, type Manifest } from '../transfer/protocol.ts';

/** A batch is written once it holds this much: big enough for IndexedDB's fast path (design.md §8). */
const BATCH_BYTES = 4 * 1024 * 1024;
/**
 * After this many bytes written, the bytes are flushed to disk and the record says so (`durableSeq`): what a crash
 * may have lost, and the next page checks again, is at most about this much (docs/architecture.md, "Stored records").
 */
const CHECKPOINT_BYTES = 128 * 1024 * 1024;
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
export class IndexedDbChunkStore implements ReceiverStore {
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
  /** Lets go of the transfer's Web Lock, while this store holds it. */
  #release: (() => void) | undefined;
  /** Under which key everything of this transfer is kept: records, batches, bytes and the Web Lock. */
  readonly #key: string;
  /** The transfer's record as last written, from open() on. */
  #record: TransferRecord | undefined;
  /** How to rejoin, once kept: written with the record. */
  #link: KeptLink | undefined;
  /** Bytes committed since the last checkpoint began. */
  #sinceCheckpoint = 0;
  /** The checkpoints, one after another. */
  #checkpoints: Promise<void> = Promise.resolve();
  readonly #checkpointBytes: number;

  /**
   * `key` names the transfer in storage. The receiver derives it from the link, so a peer that claims another
   * transfer's id in its manifest cannot reach that transfer's chunks (docs/security.md, "Storage").
   * `checkpointBytes`: tests checkpoint sooner than a real transfer.
   */
  constructor(bytes: ChunkBytes, key: string, databaseName = DATABASE_NAME, checkpointBytes = CHECKPOINT_BYTES) {
    this.#bytes = bytes;
    this.#key = key;
    this.#db = openDatabase(databaseName);
    this.#checkpointBytes = checkpointBytes;
  }

  /** Whether this browser offers IndexedDB at all (some private modes and old WebViews do not). */
  static get available(): boolean {
    return typeof indexedDB !== 'undefined';
  }

  async open(manifest: Manifest): Promise<number[]> {
    const key = this.#key;
    await this.#hold();
    const db = await this.#db;
    const known = await db.get('transfers', key);
    const same = known !== undefined && sameTransfer(known.manifest, manifest);
    if (known && !same) {
      // Another transfer, or other files or chunking: what is stored cannot be trusted for this manifest.
      await db.delete('batches', transferRange(key));
      await this.#bytes.remove(key);
    }
    // What this store wrote itself it knows to be there; what an earlier page wrote is checked once.
    const earlierPage = this.#manifest === undefined;
    this.#manifest = manifest;
    const link = this.#link ?? known?.link;
    const durableSeq = same ? (known.durableSeq ?? 0) : 0;
    this.#record = {
      id: key,
      manifest,
      createdAt: known?.createdAt ?? Date.now(),
      updatedAt: Date.now(),
      ...(link && { link }),
      files: same && known.files ? [...known.files] : manifest.files.map(() => 'partial'),
      durableSeq,
    };
    const have: number[] = [];
    for (let file = 0; file < manifest.files.length; file++) {
      const stored = new Set<number>();
      for (const batch of await db.getAll('batches', fileRange(key, file))) {
        const kept = earlierPage && batch.seq >= durableSeq ? await this.#recheck(db, batch) : batch.chunks;
        kept.forEach((c) => stored.add(c));
        this.#nextSeq = Math.max(this.#nextSeq, batch.seq + 1);
      }
      let contiguous = 0;
      while (stored.has(contiguous)) contiguous++;
      have.push(contiguous);
    }
    // Checked batches were flushed by the check (their bytes are on disk): recorded durable, so never checked twice.
    if (earlierPage) this.#record.durableSeq = this.#nextSeq;
    await this.#saveRecord('strict');
    return have;
  }

  /**
   * A batch an earlier page recorded after the last checkpoint: a crash of the browser or the machine may have lost
   * its bytes though its record survived (batches are committed with relaxed durability, and OPFS writes are not
   * flushed as they go). Its chunks are checked against their hashes; those that fail are dropped from the record
   * so they are asked for again, and their file is no longer counted verified. Returns the chunks that remain.
   */
  async #recheck(db: DroplineDatabase, batch: BatchRecord): Promise<number[]> {
    const { chunkSize, files } = this.#requireManifest();
    const bad = new Set(await this.#bytes.check(this.#key, batch.file, files[batch.file]!, chunkSize, batch));
    if (bad.size === 0) return batch.chunks;
    this.#record!.files![batch.file] = 'partial';
    const kept = batch.chunks.flatMap((chunk, i) => (bad.has(chunk) ? [] : [{ chunk, i }]));
    if (kept.length === 0) {
      await db.delete('batches', [batch.transferId, batch.file, batch.seq]);
      return [];
    }
    const hashes = new Uint8Array(kept.length * HASH_BYTES);
    kept.forEach(({ i }, j) => hashes.set(new Uint8Array(batch.hashes, i * HASH_BYTES, HASH_BYTES), j * HASH_BYTES));
    await db.put('batches', { ...batch, chunks: kept.map((k) => k.chunk), hashes: hashes.buffer });
    return kept.map((k) => k.chunk);
  }

  async accepted(): Promise<boolean> {
    return (await (await this.#db).get('transfers', this.#key)) !== undefined;
  }

  async rejoin(): Promise<Rejoin> {
    const link = (await (await this.#db).get('transfers', this.#key))?.link;
    if (!link) return {};
    const password = link.password === undefined ? {} : { password: link.password };
    // A tab that holds the transfer is its receiver: another tab taking its id would take its connection over.
    return (await transferHeld(this.#key)) ? password : { receiverId: link.receiverId, ...password };
  }

  async keep(link: KeptLink): Promise<void> {
    this.#link = link;
    if (!this.#record) return; // open() writes it with the record.
    this.#record.link = link;
    await this.#saveRecord();
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
    this.#dropPending(file);
    await Promise.allSettled([...this.#writing]);
    await (await this.#db).delete('batches', fileRange(this.#key, file));
    await this.#bytes.remove(this.#key, file);
    this.#setFileState(file, 'dropped');
  }

  async verified(file: number): Promise<void> {
    this.#setFileState(file, 'verified');
  }

  /** Makes everything durable, closes the database and lets another tab take the transfer; the store is unusable afterwards. */
  async close(): Promise<void> {
    await this.flush();
    if (this.#record) await this.#checkpoint();
    (await this.#db).close();
    this.#letGo();
  }

  async forget(): Promise<void> {
    this.#dropPending();
    await Promise.allSettled([...this.#writing, this.#checkpoints]);
    this.#manifest = undefined;
    this.#record = undefined;
    // The bytes first: a record left behind by a failure is still listed, and can be deleted again.
    await this.#bytes.remove(this.#key);
    const db = await this.#db;
    await deleteTransferRecords(db, this.#key);
    db.close();
    this.#letGo();
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
  async #hold(): Promise<void> {
    if (this.#release) return;
    this.#release = await holdTransfer(this.#key);
    if (!this.#release) throw new TransferBusyError(TRANSFER_BUSY_MESSAGE);
  }

  #letGo(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    this.#release?.();
    this.#release = undefined;
  }

  /** Drops the chunks not yet written, of one file or all: settled as committed, as the receiver still owes the sender credit for them. */
  #dropPending(file?: number): void {
    for (const f of file === undefined ? [...this.#pending.keys()] : [file]) {
      for (const dropped of this.#pending.get(f) ?? []) dropped.committed();
      this.#pending.delete(f);
      this.#pendingBytes.delete(f);
    }
  }

  #setFileState(file: number, state: StoredFileState): void {
    const files = this.#record?.files;
    if (!files || files[file] === state) return;
    files[file] = state;
    void this.#saveRecord();
  }

  /**
   * Writes the record as it stands, touched now. A failed write is let go: the record is written whole again at
   * the next change or checkpoint, and until then the start page may show a file as less far than it is.
   */
  async #saveRecord(durability: IDBTransactionDurability = 'relaxed'): Promise<void> {
    const record = this.#record;
    if (!record) return;
    record.updatedAt = Date.now();
    try {
      const tx = (await this.#db).transaction('transfers', 'readwrite', { durability });
      await Promise.all([tx.store.put(record), tx.done]);
    } catch {
      // See above.
    }
  }

  /**
   * Makes every batch recorded so far durable: waits for their writes, flushes the bytes to disk, then records
   * `durableSeq` with strict durability (which flushes IndexedDB's log, and the relaxed batch commits in it).
   * Only batches recorded after it are checked again after a crash. Checkpoints rather than a "closed cleanly"
   * marker: a reload or a closed tab runs no code that could await a flush, so such a marker would almost never be
   * set and every open would re-hash all that is stored (docs/architecture.md, "Stored records").
   */
  #checkpoint(): Promise<void> {
    this.#sinceCheckpoint = 0;
    const upTo = this.#nextSeq;
    const writes = [...this.#writing];
    this.#checkpoints = this.#checkpoints.then(async () => {
      await Promise.allSettled(writes);
      const record = this.#record;
      if (!record) return;
      // A failed flush leaves durableSeq where it was: more is checked after a crash, nothing is wrongly trusted.
      if (!(await this.#bytes.flush(this.#key).then(() => true, () => false))) return;
      record.durableSeq = Math.max(record.durableSeq ?? 0, upTo);
      await this.#saveRecord('strict');
    });
    return this.#checkpoints;
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
    // Counted now: `bytes` may take the payloads' buffers (transferred to the worker, detached here).
    const written = pending.reduce((n, p) => n + p.payload.byteLength, 0);
    const write = Promise.all([this.#db, this.#bytes.write(transferId, file, chunkSize, pending)])
      .then(async ([db, data]) => {
        const record: BatchRecord = { transferId, file, seq, chunks, hashes: hashes.buffer, ...(data && { data }) };
        // Relaxed: committed means handed to the OS, without waiting for a flush to the disk. A crash of the
        // whole machine can lose the last batches, or keep a record whose OPFS bytes were lost: the checkpoints
        // bound what is at risk, and the next page checks it again (open()).
        const tx = db.transaction('batches', 'readwrite', { durability: 'relaxed' });
        await Promise.all([tx.store.put(record), tx.done]);
      })
      .then(
        () => {
          pending.forEach((p) => p.committed());
          // A file dropped earlier (cancelled, or failed its root) and sent again after a reopen is awaited again.
          if (this.#record?.files?.[file] === 'dropped') this.#setFileState(file, 'partial');
          this.#sinceCheckpoint += written;
          if (this.#sinceCheckpoint >= this.#checkpointBytes) void this.#checkpoint();
        },
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
