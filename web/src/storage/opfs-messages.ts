/** The messages between the page and the OPFS writer worker, defined once for both sides. */

/** Bytes to write at `at` in the file: `length` bytes of `buffer` from `offset` (the buffer is transferred, not copied). */
export interface OpfsPiece {
  at: number;
  buffer: ArrayBuffer;
  offset: number;
  length: number;
}

export type OpfsCommand =
  | { op: 'probe'; transferId: string }
  | { op: 'write'; transferId: string; file: number; pieces: OpfsPiece[] }
  | { op: 'close'; transferId: string; file: number }
  /** Flushes every file of the transfer this worker has open to the disk. */
  | { op: 'flush'; transferId: string }
  /**
   * Flushes the file, then reads `chunks` (of a file of `size` bytes) one at a time and hashes each against
   * `hashes` (32 bytes per chunk, in the same order); the reply's `bad` lists those missing or different.
   */
  | { op: 'check'; transferId: string; file: number; size: number; chunkSize: number; chunks: number[]; hashes: ArrayBuffer }
  /** Removes one file, or the whole transfer when no file is given. */
  | { op: 'remove'; transferId: string; file?: number };

/** A command numbered, so its reply can be matched to it. */
export type OpfsRequest = OpfsCommand & { id: number };

/**
 * The answer to request `id`; a DOMException's name survives the trip, so a full disk is still recognised.
 * A write's frames come back with it (transferred), to be dropped by the page.
 */
export interface OpfsReply {
  id: number;
  error?: { name: string; message: string };
  /** A check's chunks whose bytes are missing or do not match their hash. */
  bad?: number[];
}
