import { sha256 } from './hashing.ts';
import { FRAME_HEADER_BYTES, chunkLength, writeFrameHeader } from './protocol.ts';

/** One chunk of a file, hashed and framed, ready for the channel. */
export interface OutgoingFrame {
  chunk: number;
  /**
   * Valid until the next frame is read: full-size frames share a few reused buffers.
   * RTCDataChannel.send() copies what it is given, so sending before reading on is safe.
   */
  frame: ArrayBuffer;
  payloadBytes: number;
  hash: Uint8Array;
}

/**
 * Chunks read and hashed together, while the frames read before them go out:
 * 8 × 256 KiB is the gap between the channel's high- and low-water marks, so
 * when the channel asks for more a whole refill is ready at once.
 */
const GROUP_CHUNKS = 8;

/**
 * Frames chunks `from`…`to - 1` of a file of `size` bytes. The file is read as
 * one stream: Blob.stream() costs about half the CPU of big slices'
 * arrayBuffer() (design.md §8), CPU the channel needs. Each streamed piece is
 * copied once, straight into its frame. The next group of chunks is read and
 * hashed while the current one is sent.
 */
export async function* readFrames(blob: Blob, file: number, size: number, chunkSize: number, from: number, to: number): AsyncGenerator<OutgoingFrame> {
  const reader = blob.slice(from * chunkSize, Math.min(size, to * chunkSize)).stream().getReader();
  // Two sets of reused frame buffers, one being sent while the other fills: a fresh 256 KiB buffer per
  // chunk costs page faults and GC on the thread that refills the channel.
  const buffers = [0, 1].map(() => Array.from({ length: Math.min(GROUP_CHUNKS, to - from) }, () => new Uint8Array(FRAME_HEADER_BYTES + chunkSize)));
  let leftover: Uint8Array = new Uint8Array(0);

  /** Fills one frame's payload from the stream. Reads are chained, so they stay in order. */
  const fill = async (frame: Uint8Array, length: number): Promise<void> => {
    for (let filled = 0; filled < length; ) {
      if (leftover.byteLength === 0) {
        const next = await reader.read();
        if (next.done) throw new Error('the file changed while it was being sent');
        leftover = next.value;
      }
      const take = Math.min(leftover.byteLength, length - filled);
      frame.set(leftover.subarray(0, take), FRAME_HEADER_BYTES + filled);
      leftover = leftover.subarray(take);
      filled += take;
    }
  };

  const readGroup = async (first: number, set: Array<Uint8Array<ArrayBuffer>>): Promise<OutgoingFrame[]> => {
    const hashing: Array<Promise<OutgoingFrame>> = [];
    for (let chunk = first; chunk < Math.min(to, first + GROUP_CHUNKS); chunk++) {
      const length = chunkLength(size, chunkSize, chunk);
      const frame: Uint8Array<ArrayBuffer> = length === chunkSize ? set[chunk - first]! : new Uint8Array(FRAME_HEADER_BYTES + length);
      await fill(frame, length);
      // Hashes of a group run side by side on WebCrypto's threads.
      hashing.push(
        sha256(frame.subarray(FRAME_HEADER_BYTES)).then((hash) => {
          writeFrameHeader(frame, file, chunk, hash);
          return { chunk, frame: frame.buffer, payloadBytes: length, hash };
        }),
      );
    }
    return Promise.all(hashing);
  };

  try {
    let group = 0;
    let next = from < to ? readGroup(from, buffers[0]!) : undefined;
    while (next) {
      const frames = await next;
      group++;
      const first = from + group * GROUP_CHUNKS;
      next = first < to ? readGroup(first, buffers[group % 2]!) : undefined;
      // Not left unhandled while the frames below are sent; the loop awaits it next.
      next?.catch(() => undefined);
      yield* frames;
    }
    if (leftover.byteLength > 0 || !(await reader.read()).done) throw new Error('the file changed while it was being sent');
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
