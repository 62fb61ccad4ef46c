import type { ChunkBytes, PayloadToStore, RecordedBatch, StoredBatch } from './chunk-bytes.ts';
import { chunkLength, type FileEntry } from '../transfer/protocol.ts';

/**
 * Keeps chunk bytes inside the IndexedDB batch records, one Blob per batch:
 * for browsers without sync access handles in the origin private file system.
 */
export class BlobChunkBytes implements ChunkBytes {
  async write(_transferId: string, _file: number, _chunkSize: number, chunks: readonly PayloadToStore[]): Promise<Blob> {
    // The payloads are views into received frames; the Blob takes its own copy and lets them go.
    return new Blob(chunks.map((c) => c.payload as Uint8Array<ArrayBuffer>));
  }

  async assemble(_transferId: string, _file: number, entry: FileEntry, chunkSize: number, batches: readonly StoredBatch[]): Promise<Blob> {
    // Where each chunk's latest copy lies; later batches win.
    const places: Array<{ data: Blob; offset: number; length: number }> = [];
    for (const batch of batches) {
      if (!batch.data) throw new Error('a stored batch has lost its bytes');
      let offset = 0;
      for (const chunk of batch.chunks) {
        const length = chunkLength(entry.size, chunkSize, chunk);
        places[chunk] = { data: batch.data, offset, length };
        offset += length;
      }
    }
    // Slices of stored Blobs are references to data on disk: nothing is read into memory here.
    // Runs of chunks that lie back to back in one stored Blob become one slice.
    const pieces: Blob[] = [];
    let run: { data: Blob; start: number; end: number } | undefined;
    for (const place of places) {
      if (!place) continue;
      if (run && run.data === place.data && run.end === place.offset) run.end += place.length;
      else {
        if (run) pieces.push(sliceOf(run));
        run = { data: place.data, start: place.offset, end: place.offset + place.length };
      }
    }
    if (run) pieces.push(sliceOf(run));
    return new Blob(pieces, { type: entry.type });
  }

  async remove(): Promise<void> {
    // The bytes are in the batch records, which the store deletes itself.
  }

  async flush(): Promise<void> {
    // The bytes are in the batch records: the store's strict transaction that records them durable flushes them too.
  }

  /**
   * A batch's Blob holds its chunks back to back, committed in one transaction with the record: a Blob of the
   * recorded size is the batch as written. One of another size is dropped whole, as its chunks cannot be placed.
   */
  async check(_transferId: string, _file: number, entry: FileEntry, chunkSize: number, batch: RecordedBatch): Promise<number[]> {
    const size = batch.chunks.reduce((n, chunk) => n + chunkLength(entry.size, chunkSize, chunk), 0);
    return batch.data?.size === size ? [] : batch.chunks;
  }
}

const sliceOf = ({ data, start, end }: { data: Blob; start: number; end: number }): Blob =>
  start === 0 && end === data.size ? data : data.slice(start, end);
