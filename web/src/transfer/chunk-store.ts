import type { Manifest } from './protocol.ts';

/**
 * Where a receiver keeps what has arrived. The receiver engine only talks to
 * this interface; the in-memory store serves tests and browsers without
 * IndexedDB, the IndexedDB store keeps chunks across reloads so transfers can
 * resume (see open-chunk-store.ts for which one a page gets).
 */
export interface ChunkStore {
  /**
   * Opens (or re-opens) the record of a transfer. Returns, per file, how many
   * leading chunks are already stored and verified: the resume point.
   */
  open(manifest: Manifest): Promise<number[]>;
  /**
   * Stores one verified chunk; resolves once it is committed, which is when it
   * may be acknowledged. The store may take the payload's buffer (transfer it
   * to a worker): the caller must not use `payload` or `hash` afterwards.
   */
  put(file: number, chunk: number, payload: Uint8Array, hash: Uint8Array): Promise<void>;
  /** Commits whatever is queued. */
  flush(): Promise<void>;
  /** The stored hashes of a file's chunks, in order. */
  hashes(file: number): Promise<Uint8Array[]>;
  /** The whole file, assembled from the stored pieces without reading them into memory where the store allows. */
  blob(file: number): Promise<Blob>;
  /** Forgets a file's chunks (cancelled, or failed verification). */
  discard(file: number): Promise<void>;
  /** The file matched its root: a store that outlives the page records it whole. */
  verified(file: number): Promise<void>;
}

/**
 * Thrown by open() when another tab of this browser holds the same transfer:
 * both would write the same stored files (and OPFS lets only one open them).
 */
export class TransferBusyError extends Error {
  override name = 'TransferBusyError';
}

/** Thrown by a store when the device is out of space; the receiver pauses instead of failing. */
export class StorageFullError extends Error {
  override name = 'StorageFullError';
}
