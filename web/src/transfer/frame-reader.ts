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
 * leaves `headroom` bytes in front of it, which is valid until the next chunk is
 * read. The stream is read BYOB, straight into that one reused buffer: read the
 * default way, Chromium hands out fresh pieces of up to 2 MiB that must be
 * allocated, faulted in and copied again (measured on 256 MiB in one page:
 * 340–810 ms against 200–230 ms). Both beat big slices' arrayBuffer() (design.md §8).
 */
async function* readChunks(blob: Blob, size: number, chunkSize: number, from: number, to: number, headroom: number): AsyncGenerator<{ chunk: number; bytes: Uint8Array<ArrayBuffer> }> {
  const start = from * chunkSize;
  const end = Math.min(size, to * chunkSize);
  // Each read hands the buffer to the stream and gets it back as a new ArrayBuffer over the same memory.
  let buffer = new ArrayBuffer(headroom + chunkSize);
  const reader = blob.slice(start, end).stream().getReader({ mode: 'byob' });
  try {
    for (let chunk = from; chunk < to; chunk++) {
      const length = chunkLength(size, chunkSize, chunk);
      for (let filled = 0; filled < length; ) {
        const { done, value } = await reader.read(new Uint8Array(buffer, headroom + filled, length - filled));
        if (done || !value) throw new Error('the file changed while it was being sent');
        buffer = value.buffer;
        filled += value.byteLength;
      }
      const bytes = new Uint8Array(buffer, 0, headroom + length);
      // A short last chunk gets a buffer of its own size: frames are sent whole.
      yield { chunk, bytes: length === chunkSize ? bytes : bytes.slice() };
    }
    const { done, value } = await reader.read(new Uint8Array(buffer, 0, 1));
    if (!done || (value && value.byteLength > 0)) throw new Error('the file changed while it was being sent');
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
