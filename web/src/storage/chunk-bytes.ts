import type { FileEntry } from '../transfer/protocol.ts';

/** One verified chunk's payload on its way to storage. */
export interface PayloadToStore {
  chunk: number;
  payload: Uint8Array;
}

/** What the IndexedDB chunk store records of one batch: which chunks, and their bytes when IndexedDB keeps them. */
export interface StoredBatch {
  chunks: number[];
  data?: Blob;
}

/** A stored batch with the hashes its chunks were verified against when they arrived. */
export interface RecordedBatch extends StoredBatch {
  /** `chunks.length` SHA-256 hashes, 32 bytes each, in the same order. */
  hashes: ArrayBuffer;
}

/**
 * Where the IndexedDB chunk store keeps chunk bytes. The record of what is
 * stored (batches, hashes, resume points) is always in IndexedDB; the bytes
 * go to the origin private file system where the browser offers it, and into
 * the batch records as Blobs where it does not.
 */
export interface ChunkBytes {
  /**
   * Stores a batch of one file's chunks. Resolves with the Blob the batch
   * record keeps, or with nothing when the bytes live elsewhere. May take the
   * payloads' buffers (they are transferred to a worker, not copied).
   */
  write(transferId: string, file: number, chunkSize: number, chunks: readonly PayloadToStore[]): Promise<Blob | undefined>;
  /** The whole file, without reading it into memory; `batches` are the file's records in write order. */
  assemble(transferId: string, file: number, entry: FileEntry, chunkSize: number, batches: readonly StoredBatch[]): Promise<Blob>;
  /** Drops the bytes of one file, or of the whole transfer. */
  remove(transferId: string, file?: number): Promise<void>;
  /** Makes what was written of the transfer durable: on the disk, not only handed to the OS. */
  flush(transferId: string): Promise<void>;
  /**
   * After a crash: which of the batch's chunks are not on disk as recorded (missing, short, or other bytes than
   * their hash says). Reads no more than a chunk into memory at a time.
   */
  check(transferId: string, file: number, entry: FileEntry, chunkSize: number, batch: RecordedBatch): Promise<number[]>;
}
