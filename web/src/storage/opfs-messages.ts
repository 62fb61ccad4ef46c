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
}

export const OPFS_ROOT_DIRECTORY = 'dropline';
