/**
 * The app's IndexedDB database, defined once: its object stores and the migrations from every earlier version
 * (docs/architecture.md, "Stored records"). Every reader and writer opens it through `openDatabase`, so a page
 * of a newer version upgrades what an older one stored instead of each module guessing at the schema.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { FileEntry, Manifest } from '../transfer/protocol.ts';
import type { HashPrefix } from '../transfer/share-hashes.ts';

export const DATABASE_NAME = 'dropline';
/**
 * 1: `transfers` and `batches` (the receiver's records).
 * 2: `shares` (the sender's open shares, so a reload continues them); `transfers` indexed by `updatedAt`, so old
 *    unfinished transfers are found without reading every record.
 * 3: `inbox` (files the system share sheet handed to the service worker, until the send view takes them).
 */
export const DATABASE_VERSION = 3;

/**
 * What a receiver needs to rejoin a transfer and authenticate again after its tab or browser went away
 * (docs/security.md, "Storage", says why keeping the secret and the password is acceptable).
 */
export interface KeptLink {
  room: string;
  secret: string;
  /** The receiver's lasting id for the transfer, so the sender continues the same transfer for it. */
  receiverId: string;
  /** The share's password, once it was proven; absent for a share without one. */
  password?: string;
  /** The code both screens showed when the sender proved itself, shown again in the library of received files. */
  verificationCode?: string;
}

/** `verified`: whole and matched its root. `dropped`: cancelled or discarded, so nothing is awaited for it. */
export type StoredFileState = 'partial' | 'verified' | 'dropped';

/**
 * A transfer a receiver keeps: what it is, how to rejoin it, how far each file got, and when it was last touched.
 * The fields after `updatedAt` came after version 2 without a schema change (no store or index needs them);
 * records written before lack them, and are read as: no link kept, every file partial, nothing known durable.
 */
export interface TransferRecord {
  /** The store's key (derived from the link by the receiver), not the id the sender put in its manifest. */
  id: string;
  manifest: Manifest;
  createdAt: number;
  updatedAt: number;
  link?: KeptLink;
  /** Per file of the manifest. */
  files?: StoredFileState[];
  /**
   * Batches of a lower `seq` were flushed to disk before this was recorded, with strict durability: a crash or a
   * power loss cannot have taken their bytes. Later ones are checked again by the next page that opens the transfer.
   */
  durableSeq?: number;
}

/** Several chunks of one file, recorded in one transaction: their hashes side by side, and their bytes as one Blob where IndexedDB keeps them. */
export interface BatchRecord {
  /** The store's key (how the receiver names the transfer); the field keeps its first name. */
  transferId: string;
  file: number;
  /** Write order within the file: where a chunk was stored twice (sent again after a reload), the later copy wins. */
  seq: number;
  /** Chunk indices in the order their bytes follow each other in `data` (ascending but for chunks sent again). */
  chunks: number[];
  /** Absent where the bytes live in the origin private file system. */
  data?: Blob;
  /** `chunks.length` SHA-256 hashes, 32 bytes each, in the same order. */
  hashes: ArrayBuffer;
}

/** An open share of this browser: what a sender reload needs to continue it under the same link. */
export interface ShareRecord {
  room: string;
  secret: string;
  transferId: string;
  /** The signaler's peer token, so the reloaded page reclaims its peer id in the room. */
  peerToken?: string;
  password: string;
  /** The files as the manifest lists them: a file picked again must be the same. */
  files: FileEntry[];
  /** The chunk hashes computed so far (share/share-hashes.ts): a file picked again must have the same chunks. */
  hashes: HashPrefix[];
  /** Per file, where the browser gave one (File System Access), a handle that reads it again after a reload. */
  handles?: Array<FileSystemFileHandle | undefined>;
  /** Files the sender took back, by index. */
  withdrawn: number[];
  /** A text shared with the files, or instead of them: sent again to every receiver after a reload. */
  text?: string;
  createdAt: number;
  updatedAt: number;
}

/** Files shared to the installed app (its manifest's share_target), kept by the service worker for the send view. */
export interface InboxRecord {
  id: string;
  files: File[];
  /** What the sharing app sent along: a title, a text, a link. */
  title?: string;
  text?: string;
  url?: string;
  createdAt: number;
}

export interface DroplineSchema extends DBSchema {
  transfers: { key: string; value: TransferRecord; indexes: { updatedAt: number } };
  batches: { key: [string, number, number]; value: BatchRecord };
  shares: { key: string; value: ShareRecord };
  inbox: { key: string; value: InboxRecord };
}

export type DroplineDatabase = IDBPDatabase<DroplineSchema>;

/** The batches of one file of a transfer, in write order. */
export const fileRange = (transferId: string, file: number): IDBKeyRange =>
  IDBKeyRange.bound([transferId, file, 0], [transferId, file, Number.MAX_SAFE_INTEGER]);

/** Every batch of a transfer. */
export const transferRange = (transferId: string): IDBKeyRange =>
  IDBKeyRange.bound([transferId, 0, 0], [transferId, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]);

/** Deletes a transfer's record and batches in one transaction, so no batch outlives the record that names it. */
export async function deleteTransferRecords(db: DroplineDatabase, key: string): Promise<void> {
  const tx = db.transaction(['transfers', 'batches'], 'readwrite');
  await Promise.all([tx.objectStore('transfers').delete(key), tx.objectStore('batches').delete(transferRange(key)), tx.done]);
}

/** Opens the database, upgrading it step by step from whatever version this browser last stored. */
export function openDatabase(name = DATABASE_NAME): Promise<DroplineDatabase> {
  return openDB<DroplineSchema>(name, DATABASE_VERSION, {
    upgrade(db, oldVersion, _newVersion, tx) {
      if (oldVersion < 1) {
        db.createObjectStore('transfers', { keyPath: 'id' });
        db.createObjectStore('batches', { keyPath: ['transferId', 'file', 'seq'] });
      }
      if (oldVersion < 2) {
        tx.objectStore('transfers').createIndex('updatedAt', 'updatedAt');
        db.createObjectStore('shares', { keyPath: 'room' });
      }
      if (oldVersion < 3) db.createObjectStore('inbox', { keyPath: 'id' });
    },
  });
}
