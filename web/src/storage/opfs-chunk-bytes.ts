import type { ChunkBytes, PayloadToStore, RecordedBatch } from './chunk-bytes.ts';
import { storedFile } from './opfs-directory.ts';
import type { OpfsCommand, OpfsReply, OpfsRequest } from './opfs-messages.ts';
import type { FileEntry } from '../transfer/protocol.ts';

/**
 * Keeps chunk bytes in the origin private file system, one file per received
 * file, written by a worker through sync access handles. Measured on the
 * bench machine: 0.93 of the raw DataChannel against 0.79 with IndexedDB
 * Blobs, whose bytes cross to the browser process and are copied twice more.
 */
export class OpfsChunkBytes implements ChunkBytes {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve: (reply: OpfsReply) => void; reject: (error: unknown) => void }>();
  #nextId = 0;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.addEventListener('message', (event: MessageEvent<OpfsReply>) => {
      const { id, error } = event.data;
      const waiter = this.#waiting.get(id);
      this.#waiting.delete(id);
      if (!error) waiter?.resolve(event.data);
      // Rebuilt as a DOMException so a full disk is recognised like any other QuotaExceededError.
      else waiter?.reject(new DOMException(error.message, error.name));
    });
    worker.addEventListener('error', (event) => {
      const failure = new Error(`the storage worker failed: ${event.message}`);
      for (const waiter of this.#waiting.values()) waiter.reject(failure);
      this.#waiting.clear();
    });
  }

  /** The OPFS keeper, or nothing where this browser cannot open sync access handles (private windows, older engines). */
  static async open(): Promise<OpfsChunkBytes | undefined> {
    if (typeof Worker === 'undefined' || typeof navigator.storage?.getDirectory !== 'function') return undefined;
    const worker = new Worker(new URL('./opfs-writer.worker.ts', import.meta.url), { type: 'module' });
    const bytes = new OpfsChunkBytes(worker);
    try {
      await bytes.#request({ op: 'probe', transferId: `probe-${crypto.randomUUID()}` }, []);
      return bytes;
    } catch {
      worker.terminate();
      return undefined;
    }
  }

  async write(transferId: string, file: number, chunkSize: number, chunks: readonly PayloadToStore[]): Promise<undefined> {
    const pieces = chunks.map(({ chunk, payload }) => ({
      at: chunk * chunkSize,
      buffer: payload.buffer as ArrayBuffer,
      offset: payload.byteOffset,
      length: payload.byteLength,
    }));
    await this.#request({ op: 'write', transferId, file, pieces }, [...new Set(pieces.map((p) => p.buffer))]);
    return undefined;
  }

  async assemble(transferId: string, file: number, entry: FileEntry): Promise<Blob> {
    // The worker's handle locks the file; once it is closed, getFile() gives a disk-backed File.
    if (entry.size > 0) await this.#request({ op: 'close', transferId, file }, []);
    return storedFile(transferId, file, entry);
  }

  async remove(transferId: string, file?: number): Promise<void> {
    await this.#request(file === undefined ? { op: 'remove', transferId } : { op: 'remove', transferId, file }, []);
  }

  async flush(transferId: string): Promise<void> {
    await this.#request({ op: 'flush', transferId }, []);
  }

  async check(transferId: string, file: number, entry: FileEntry, chunkSize: number, batch: RecordedBatch): Promise<number[]> {
    // The hashes are copied to the worker: the batch record keeps its own.
    const reply = await this.#request({ op: 'check', transferId, file, size: entry.size, chunkSize, chunks: batch.chunks, hashes: batch.hashes }, []);
    return reply.bad ?? [];
  }

  #request(command: OpfsCommand, transfer: Transferable[]): Promise<OpfsReply> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#worker.postMessage({ ...command, id } satisfies OpfsRequest, transfer);
    });
  }
}
