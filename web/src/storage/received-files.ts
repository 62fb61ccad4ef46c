/**
 * The library of received files (docs/architecture.md, "Received-files library"): every verified file this
 * browser keeps, read again as a disk-backed Blob, and deleted one by one, freeing its bytes. Plain TypeScript over
 * the records of stored-transfers.ts; a transfer's unfinished files stay listed there, as paused.
 */
import { TransferBusyError } from '../transfer/chunk-store.ts';
import type { FileEntry } from '../transfer/protocol.ts';
import { BlobChunkBytes } from './blob-chunk-bytes.ts';
import { DATABASE_NAME, deleteTransferRecords, fileRange, openDatabase } from './database.ts';
import { removeTransferDirectory, removeTransferFile, storedFile } from './opfs-directory.ts';
import { DELETE_BUSY_MESSAGE } from './stored-transfers.ts';
import { holdTransfer } from './transfer-lock.ts';

/** One verified file of a stored transfer. */
export interface ReceivedFile {
  /** The transfer's storage key. */
  key: string;
  /** The file's index in its transfer's manifest. */
  file: number;
  entry: FileEntry;
  /** When its transfer was last written to: when the file arrived, for a finished transfer. */
  receivedAt: number;
  /** The code both screens showed, for transfers received since it is kept. */
  verificationCode?: string;
}

/** The verified files this browser keeps, most recent first. */
export async function listReceivedFiles({ databaseName = DATABASE_NAME }: { databaseName?: string } = {}): Promise<ReceivedFile[]> {
  const db = await openDatabase(databaseName);
  try {
    const records = (await db.getAllFromIndex('transfers', 'updatedAt')).reverse();
    return records.flatMap((record) =>
      record.manifest.files.flatMap((entry, file) =>
        record.files?.[file] === 'verified'
          ? [{ key: record.id, file, entry, receivedAt: record.updatedAt, ...(record.link?.verificationCode && { verificationCode: record.link.verificationCode }) }]
          : [],
      ),
    );
  } finally {
    db.close();
  }
}

/**
 * A received file as a Blob that references the stored bytes (nothing is read into memory), for saving it again.
 * Bytes kept inside IndexedDB batches are sliced together; bytes in OPFS are the stored file itself.
 */
export async function receivedFileBlob({ key, file, entry }: ReceivedFile, { databaseName = DATABASE_NAME } = {}): Promise<Blob> {
  const db = await openDatabase(databaseName);
  try {
    const [record, batches] = await Promise.all([db.get('transfers', key), db.getAll('batches', fileRange(key, file))]);
    if (!record) throw new Error(`“${entry.name}” is no longer stored`);
    return batches.some((batch) => batch.data) ? new BlobChunkBytes().assemble(key, file, entry, record.manifest.chunkSize, batches) : storedFile(key, file, entry);
  } finally {
    db.close();
  }
}

/**
 * Deletes one received file: its batches and its OPFS bytes, and marks it dropped. When nothing else of its
 * transfer is kept (no verified file, none still awaited), the transfer's record and folder go too. Refused
 * (TransferBusyError) while a tab receives the transfer: its worker has the files open.
 */
export async function deleteReceivedFile({ key, file }: Pick<ReceivedFile, 'key' | 'file'>, { databaseName = DATABASE_NAME } = {}): Promise<void> {
  const release = await holdTransfer(key);
  if (!release) throw new TransferBusyError(DELETE_BUSY_MESSAGE);
  try {
    const db = await openDatabase(databaseName);
    try {
      const record = await db.get('transfers', key);
      if (!record) return;
      const files = record.manifest.files.map((_, i) => (i === file ? 'dropped' : (record.files?.[i] ?? 'partial')));
      if (files.every((state) => state === 'dropped')) {
        await deleteTransferRecords(db, key);
        await removeTransferDirectory(key);
        return;
      }
      const tx = db.transaction(['transfers', 'batches'], 'readwrite');
      await Promise.all([tx.objectStore('transfers').put({ ...record, files }), tx.objectStore('batches').delete(fileRange(key, file)), tx.done]);
      await removeTransferFile(key, file);
    } finally {
      db.close();
    }
  } finally {
    release();
  }
}

/** Storage this origin uses and may still use, as the browser estimates it; nothing where it does not say. */
export async function storageEstimate(): Promise<{ usage: number; quota: number } | undefined> {
  const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
  return estimate?.usage === undefined || estimate.quota === undefined ? undefined : { usage: estimate.usage, quota: estimate.quota };
}

