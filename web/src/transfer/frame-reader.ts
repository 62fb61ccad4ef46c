import { sha256 } from './hashing.ts';
import { FRAME_HEADER_BYTES, chunkLength, writeFrameHeader } from './protocol.ts';

/** One chunk of a file, hashed and framed, ready for the channel. */
export interface OutgoingFrame {
  chunk: number;
  /**
   * Valid until the next frame is read: full-size frames share one buffer.
   * RTCDataChannel.send() copies what it is given, so sending before reading on is safe.
   */
  frame: ArrayBuffer;
  payloadBytes: number;
  hash: Uint8Array;
}

/**
 * Frames chunks `from`…`to - 1` of a file of `size` bytes. The file is read as
 * one stream: Blob.stream() reads about three times faster than big slices'
 * arrayBuffer() (design.md §8), CPU the channel needs. Each streamed piece is
 * copied once, straight into its frame.
 */
export async function* readFrames(blob: Blob, file: number, size: number, chunkSize: number, from: number, to: number): AsyncGenerator<OutgoingFrame> {
  const start = from * chunkSize;
  const end = Math.min(size, to * chunkSize);
  // Reused for every full-size frame: a fresh 256 KiB buffer per chunk costs page faults and GC on the
  // thread that refills the channel (measured: about half of the sender's extra main-thread time).
  const fullFrame = new Uint8Array(FRAME_HEADER_BYTES + chunkSize);
  const reader = blob.slice(start, end).stream().getReader();
  try {
    let piece: Uint8Array = new Uint8Array(0);
    for (let chunk = from; chunk < to; chunk++) {
      const length = chunkLength(size, chunkSize, chunk);
      const frame = length === chunkSize ? fullFrame : new Uint8Array(FRAME_HEADER_BYTES + length);
      for (let filled = 0; filled < length; ) {
        if (piece.byteLength === 0) {
          const next = await reader.read();
          if (next.done) throw new Error('the file changed while it was being sent');
          piece = next.value;
        }
        const take = Math.min(piece.byteLength, length - filled);
        frame.set(piece.subarray(0, take), FRAME_HEADER_BYTES + filled);
        piece = piece.subarray(take);
        filled += take;
      }
      const hash = await sha256(frame.subarray(FRAME_HEADER_BYTES));
      writeFrameHeader(frame, file, chunk, hash);
      yield { chunk, frame: frame.buffer, payloadBytes: length, hash };
    }
    if (piece.byteLength > 0 || !(await reader.read()).done) throw new Error('the file changed while it was being sent');
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
