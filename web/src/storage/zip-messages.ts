/** The messages between the page and the zip writer worker (zip-writer.worker.ts), defined once for both sides. */

export interface ZipEntry {
  /** The path inside the zip, already made safe (app/save-all.ts, savePaths). */
  name: string;
  blob: Blob;
  lastModified: number;
}

/** Zip `entries` into the existing file `name` of the OPFS directory `directory`. */
export interface ZipRequest {
  directory: string;
  name: string;
  entries: ZipEntry[];
}

/** The zip's length once it is written and flushed, or why it could not be. */
export type ZipReply = { bytes: number; error?: undefined } | { error: { name: string; message: string } };
