/**
 * The receiver's stored transfers as a whole: what a page needs to rejoin one, the list the start page shows,
 * and deleting one (docs/architecture.md, "Stored records"). Plain TypeScript over IndexedDB and OPFS.
 */
import type { ChunkStore } from '../transfer/chunk-store.ts';
import { TransferBusyError } from '../transfer/chunk-store.ts';
import { chunkLength, type FileEntry } from '../transfer/protocol.ts';
import { DATABASE_NAME, deleteTransferRecords, openDatabase, transferRange, type KeptLink, type TransferRecord } from './database.ts';
import { removeTransferDirectory } from './opfs-directory.ts';
import { holdTransfer } from './transfer-lock.ts';

/** Unfinished transfers untouched for longer than this are offered for deletion (never deleted unasked). */
export const OLD_TRANSFER_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

/** What a page kept of a transfer to rejoin it without asking the person again. */
export interface Rejoin {
  /** Only while no other tab holds the transfer: two tabs must stay two receivers. */
  receiverId?: string;
  password?: string;
}

/** A receiver's store of one transfer: the engine's port, plus what outlives the transfer's page. */
export interface ReceiverStore extends ChunkStore {
  /** Whether the transfer's record is stored: the person accepted it on this or an earlier page (docs/architecture.md). */
  accepted(): Promise<boolean>;
  /** What an earlier page kept to rejoin this transfer, if anything. */
  rejoin(): Promise<Rejoin>;
  /** Records how to rejoin (with the transfer's record, now or when open() writes it), once the sender is proven. */
  keep(link: KeptLink): Promise<void>;
  /** Deletes everything stored of the transfer: chunks, bytes and record. The store is unusable afterwards. */
  forget(): Promise<void>;
}

/** An unfinished transfer as the start page lists it. */
export interface UnfinishedTransfer {
  key: string;
  /** Absent for transfers stored before links were kept: those can only be deleted. */
  link?: KeptLink;
  files: FileEntry[];
  totalBytes: number;
  /** Bytes of distinct chunks stored (a chunk sent again counts once). */
  storedBytes: number;
  updatedAt: number;
  /** Untouched for more than the given days: offered for deletion. */
  old: boolean;
}

/** Whether some file of the transfer is still awaited. */
const unfinished = (record: TransferRecord): boolean =>
  record.manifest.files.some((_, file) => (record.files?.[file] ?? 'partial') === 'partial');

/** The unfinished transfers this browser keeps, most recently touched first. */
export async function listUnfinishedTransfers({
  now = Date.now(),
  oldAfterDays = OLD_TRANSFER_DAYS,
  databaseName = DATABASE_NAME,
}: { now?: number; oldAfterDays?: number; databaseName?: string } = {}): Promise<UnfinishedTransfer[]> {
  const db = await openDatabase(databaseName);
  try {
    // The updatedAt index gives them in the order they were last touched, so old ones are those up to the cutoff.
    const records = (await db.getAllFromIndex('transfers', 'updatedAt')).reverse().filter(unfinished);
    const cutoff = now - oldAfterDays * DAY_MS;
    return await Promise.all(
      records.map(async (record) => {
        const { files, chunkSize } = record.manifest;
        const stored = files.map(() => new Set<number>());
        for (const batch of await db.getAll('batches', transferRange(record.id))) batch.chunks.forEach((chunk) => stored[batch.file]?.add(chunk));
        const storedBytes = stored.reduce((n, chunks, file) => n + [...chunks].reduce((m, chunk) => m + chunkLength(files[file]!.size, chunkSize, chunk), 0), 0);
        return {
          key: record.id,
          ...(record.link && { link: record.link }),
          files,
          totalBytes: files.reduce((n, f) => n + f.size, 0),
          storedBytes,
          updatedAt: record.updatedAt,
          old: record.updatedAt < cutoff,
        };
      }),
    );
  } finally {
    db.close();
  }
}

/**
 * Deletes a stored transfer no tab is receiving: its record, batches and OPFS bytes. A tab that holds it is left
 * alone (TransferBusyError): its worker has the files open, and it would write them again.
 */
export async function deleteStoredTransfer(
  key: string,
  { removeBytes = removeTransferDirectory, databaseName = DATABASE_NAME }: { removeBytes?: (key: string) => Promise<void>; databaseName?: string } = {},
): Promise<void> {
  const release = await holdTransfer(key);
  if (!release) throw new TransferBusyError(DELETE_BUSY_MESSAGE);
  try {
    const db = await openDatabase(databaseName);
    try {
      await deleteTransferRecords(db, key);
    } finally {
      db.close();
    }
    await removeBytes(key);
  } finally {
    release();
  }
}

export const DELETE_BUSY_MESSAGE = 'Another tab is receiving these files. Close it first, then delete them here.';
