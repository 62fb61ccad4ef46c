/**
 * Keeps an open share in storage while it runs, so that a reload of the sender's page continues it under the
 * same link (docs/architecture.md, "Stored records"): its room and secret, the signaler's peer token, the
 * password, the files as the manifest lists them, the chunk hashes computed so far, and what was withdrawn.
 */
import type { ShareRecord } from '../storage/database.ts';
import type { ShareRecords } from '../storage/share-records.ts';
import type { ShareHashes } from '../transfer/share-hashes.ts';

/** How often new chunk hashes are written: they come by the thousand, and losing the last few costs a re-hash. */
const HASH_SAVE_INTERVAL_MS = 2_000;

export type ShareChange = Partial<Pick<ShareRecord, 'peerToken' | 'password' | 'withdrawn'>>;

export class KeptShare {
  #record: ShareRecord;
  #savedHashes = -1;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Writes in order, so a save never lands after the delete that ends the share. */
  #queue: Promise<void> = Promise.resolve();
  #ended = false;

  constructor(
    private readonly records: ShareRecords,
    record: ShareRecord,
    private readonly hashes: ShareHashes,
  ) {
    this.#record = record;
  }

  get record(): ShareRecord {
    return this.#record;
  }

  /** Writes the share now, then its new hashes every few seconds. */
  start(): void {
    this.#save();
    this.#timer = setInterval(() => {
      if (this.hashes.count !== this.#savedHashes) this.#save();
    }, HASH_SAVE_INTERVAL_MS);
  }

  /** A token, password or withdrawal matters at once: a reload right after it must not lose it. */
  update(change: ShareChange): void {
    this.#record = { ...this.#record, ...change };
    this.#save();
  }

  /** The person ended the share: nothing of it is kept. */
  end(): Promise<void> {
    this.#ended = true;
    clearInterval(this.#timer);
    return this.#enqueue(() => this.records.delete(this.#record.room));
  }

  /** Resolves once every write asked for so far is done. */
  settled(): Promise<void> {
    return this.#queue;
  }

  #save(): void {
    if (this.#ended) return;
    this.#savedHashes = this.hashes.count;
    this.#record = { ...this.#record, hashes: this.hashes.prefixes(), updatedAt: Date.now() };
    const record = this.#record;
    void this.#enqueue(() => this.records.put(record));
  }

  #enqueue(write: () => Promise<void>): Promise<void> {
    // Keeping is best effort: a share whose record cannot be written (no space, private mode) still runs; only a
    // reload of the page would then end it, as before shares were kept.
    this.#queue = this.#queue.then(write).catch(() => undefined);
    return this.#queue;
  }
}
