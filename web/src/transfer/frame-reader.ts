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
 * Frames chunks `from`…`to - 1` of a file of `size` bytes. A chunk whose hash
 * `knownHash` gives is not hashed again: hashing takes CPU the channel needs.
 */
export async function* readFrames(
  blob: Blob,
  file: number,
  size: number,
  chunkSize: number,
  from: number,
  to: number,
  knownHash: (chunk: number) => Uint8Array | undefined = () => undefined,
): AsyncGenerator<OutgoingFrame> {
  for await (const { chunk, bytes } of readChunks(blob, size, chunkSize, from, to, FRAME_HEADER_BYTES)) {
    const payload = bytes.subarray(FRAME_HEADER_BYTES);
    const hash = knownHash(chunk) ?? (await sha256(payload));
    writeFrameHeader(bytes, file, chunk, hash);
    yield { chunk, frame: bytes.buffer, payloadBytes: payload.byteLength, hash };
  }
}

/** Hashes chunks `from`…`to - 1` of a file of `size` bytes, without framing them. */
export async function* hashChunks(blob: Blob, size: number, chunkSize: number, from: number, to: number): AsyncGenerator<{ chunk: number; hash: Uint8Array }> {
  for await (const { chunk, bytes } of readChunks(blob, size, chunkSize, from, to, 0)) yield { chunk, hash: await sha256(bytes) };
}

/**
 * Reads chunks `from`…`to - 1` of a file as one stream, each into a buffer that
 * leaves `headroom` bytes in front of it. Blob.stream() reads about three times
 * faster than big slices' arrayBuffer() (design.md §8), CPU the channel needs.
 * Each streamed piece is copied once, straight into its chunk's buffer, which is
 * valid until the next chunk is read.
 */
async function* readChunks(blob: Blob, size: number, chunkSize: number, from: number, to: number, headroom: number): AsyncGenerator<{ chunk: number; bytes: Uint8Array<ArrayBuffer> }> {
  const start = from * chunkSize;
  const end = Math.min(size, to * chunkSize);
  // Reused for every full-size chunk: a fresh 256 KiB buffer per chunk costs page faults and GC on the
  // thread that refills the channel (measured: about half of the sender's extra main-thread time).
  const fullChunk = new Uint8Array(headroom + chunkSize);
  const reader = blob.slice(start, end).stream().getReader();
  try {
    let piece: Uint8Array = new Uint8Array(0);
    for (let chunk = from; chunk < to; chunk++) {
      const length = chunkLength(size, chunkSize, chunk);
      const bytes = length === chunkSize ? fullChunk : new Uint8Array(headroom + length);
      for (let filled = 0; filled < length; ) {
        if (piece.byteLength === 0) {
          const next = await reader.read();
          if (next.done) throw new Error('the file changed while it was being sent');
          piece = next.value;
        }
        const take = Math.min(piece.byteLength, length - filled);
        bytes.set(piece.subarray(0, take), headroom + filled);
        piece = piece.subarray(take);
        filled += take;
      }
      yield { chunk, bytes };
    }
    if (piece.byteLength > 0 || !(await reader.read()).done) throw new Error('the file changed while it was being sent');
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
