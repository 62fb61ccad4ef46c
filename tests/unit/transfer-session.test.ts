import { describe, expect, test } from 'vitest';
import { HIGH_WATER_BYTES } from '../../web/src/transfer/channel.ts';
import { StorageFullError } from '../../web/src/transfer/chunk-store.ts';
import { MemoryChunkStore } from '../../web/src/storage/memory-chunk-store.ts';
import { FRAME_HEADER_BYTES, decodeDataFrame } from '../../web/src/transfer/protocol.ts';
import { randomFile, startTransfer, storedBytes } from '../support/transfer-harness.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Lets the event loop run `turns` more times: "nothing else happens now", without a timer. */
async function quiet(turns = 200): Promise<void> {
  for (let i = 0; i < turns; i++) await turn();
}

/** Waits, turn by turn, for a state; fails with `what` if it never comes. */
async function until(what: string, predicate: () => boolean, maxTurns = 100_000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (predicate()) return;
    await turn();
  }
  throw new Error(`never happened: ${what}`);
}

function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const payloadBytes = (messages: Array<string | ArrayBuffer>): number =>
  messages.reduce((n, m) => n + (typeof m === 'string' ? 0 : m.byteLength - FRAME_HEADER_BYTES), 0);

describe('a transfer between a SendSession and a ReceiveSession', () => {
  test('delivers empty, tiny and multi-chunk files intact and verified', async () => {
    const files = [randomFile('empty', 0), randomFile('one', 1), randomFile('exact', 8192), randomFile('ragged', 3 * 4096 + 17)];
    const t = startTransfer(files);
    const { send, receive } = await t.settled;
    expect(send.state).toBe('done');
    expect(send.deliveredBytes).toBe(send.totalBytes);
    expect(receive.state).toBe('done');
    expect(receive.files.map((f) => f.state)).toEqual(['complete', 'complete', 'complete', 'complete']);
    for (const [i, file] of files.entries()) expect(await storedBytes(t.store, i)).toEqual(file.data);
  });

  test('a store that takes the payload buffers, as the OPFS one does, still gets every byte and credit right', async () => {
    /** Copies, then detaches the received frame the way a transfer to a worker does. */
    class TakingStore extends MemoryChunkStore {
      override async put(file: number, chunk: number, payload: Uint8Array, hash: Uint8Array): Promise<void> {
        const kept = super.put(file, chunk, payload.slice(), hash.slice());
        structuredClone(payload.buffer, { transfer: [payload.buffer as ArrayBuffer] });
        return kept;
      }
    }
    const files = [randomFile('a', 3 * 4096 + 5), randomFile('b', 9 * 4096)];
    const t = startTransfer(files, { store: new TakingStore(), windowBytes: 4 * 4096 });
    const { send, receive } = await t.settled;
    expect(send).toMatchObject({ state: 'done', deliveredBytes: send.totalBytes });
    expect(receive.files.map((f) => [f.state, f.bytes])).toEqual(files.map((f) => ['complete', f.data.byteLength]));
    for (const [i, file] of files.entries()) expect(await storedBytes(t.store, i)).toEqual(file.data);
  });

  test('a corrupted chunk is asked for again and the file still verifies', async () => {
    const file = randomFile('photo.jpg', 5 * 4096);
    let corrupted = 0;
    const t = startTransfer([file], {
      senderChannel: {
        tamper: (data) => {
          if (typeof data === 'string' || corrupted > 0 || decodeDataFrame(data).chunk !== 2) return data;
          corrupted++;
          const copy = new Uint8Array(data.slice(0));
          copy[FRAME_HEADER_BYTES + 100]! ^= 0xff;
          return copy.buffer;
        },
      },
    });
    const { receive } = await t.settled;
    expect(corrupted).toBe(1);
    expect(t.receiverMessages().filter((m) => m.type === 'nack')).toEqual([{ type: 'nack', file: 0, chunk: 2 }]);
    expect(receive.files[0]!.state).toBe('complete');
    expect(await storedBytes(t.store, 0)).toEqual(file.data);
  });

  test('a chunk that fails its hash again after it was sent again fails its file, which the sender stops sending; the other files complete', async () => {
    const files = [randomFile('broken.bin', 6 * 4096), randomFile('fine.txt', 3 * 4096)];
    const t = startTransfer(files, {
      senderChannel: {
        tamper: (data) => {
          if (typeof data === 'string' || decodeDataFrame(data).file !== 0 || decodeDataFrame(data).chunk !== 1) return data;
          const copy = new Uint8Array(data.slice(0));
          copy[FRAME_HEADER_BYTES]! ^= 0xff;
          return copy.buffer;
        },
      },
    });
    const { receive } = await t.settled;
    expect(receive.files.map((f) => f.state)).toEqual(['failed', 'complete']);
    expect(receive.files[0]!.error).toMatch(/still did not match its hash/);
    // Asked for once, then given up: no endless loop of resends.
    expect(t.receiverMessages().filter((m) => m.type === 'nack')).toEqual([{ type: 'nack', file: 0, chunk: 1 }]);
    expect(t.receiverMessages()).toContainEqual({ type: 'cancel', file: 0 });
    expect((await t.store.blob(0)).size).toBe(0);
    expect(await storedBytes(t.store, 1)).toEqual(files[1]!.data);
  });

  test('a file whose root does not match is discarded and never shown complete', async () => {
    const t = startTransfer([randomFile('a', 3 * 4096), randomFile('b', 10)], {
      senderChannel: {
        tamper: (data) => {
          if (typeof data !== 'string' || !data.includes('"file-end","file":0')) return data;
          const message = JSON.parse(data) as { root: string };
          return JSON.stringify({ ...message, root: (message.root[0] === '0' ? '1' : '0') + message.root.slice(1) });
        },
      },
    });
    const { receive } = await t.settled;
    expect(receive.files.map((f) => f.state)).toEqual(['failed', 'complete']);
    expect(receive.files[0]!.error).toMatch(/did not match its hash/);
    expect((await t.store.blob(0)).size).toBe(0);
  });

  test('the sender never sends on a queue above its high-water mark', async () => {
    const network = gate();
    const t = startTransfer([randomFile('big', 12 * MiB)], { chunkSize: 252 * KiB, windowBytes: 64 * MiB, senderChannel: { deliveryGate: network.promise } });
    await until('the queue fills', () => t.senderEnd.bufferedAmount > HIGH_WATER_BYTES);
    await quiet();
    // Stalled on the full queue, not on credit: everything sent so far is still queued.
    expect(t.senderEnd.bufferedAmount).toBeGreaterThan(HIGH_WATER_BYTES);
    expect(t.senderEnd.peakBufferedAtSend).toBeLessThanOrEqual(HIGH_WATER_BYTES);
    const sentWhileStalled = t.senderEnd.sent.length;
    await quiet();
    expect(t.senderEnd.sent.length).toBe(sentWhileStalled);
    network.open();
    const { receive } = await t.settled;
    expect(receive.files[0]!.state).toBe('complete');
    expect(t.senderEnd.peakBufferedAtSend).toBeLessThanOrEqual(HIGH_WATER_BYTES);
  });

  test('the sender keeps at most a window of unacknowledged bytes in flight', async () => {
    const disk = gate();
    const store = new (class extends MemoryChunkStore {
      override async put(file: number, chunk: number, payload: Uint8Array, hash: Uint8Array): Promise<void> {
        await disk.promise;
        return super.put(file, chunk, payload, hash);
      }
    })();
    const windowBytes = 64 * KiB;
    const t = startTransfer([randomFile('big', 1 * MiB)], { windowBytes, store });
    await until('the window fills', () => payloadBytes(t.senderEnd.sent) >= windowBytes);
    await quiet();
    // Storage commits nothing yet, so nothing is acknowledged: the sender stops at the window.
    expect(t.receiverMessages().some((m) => m.type === 'ack')).toBe(false);
    expect(payloadBytes(t.senderEnd.sent)).toBe(windowBytes);
    disk.open();
    const { send, receive } = await t.settled;
    expect(send.state).toBe('done');
    expect(receive.files[0]!.state).toBe('complete');
  });

  test('cancelling one file on the receiver stops it and lets the others finish', async () => {
    const t = startTransfer([randomFile('unwanted', 64 * 4096), randomFile('wanted', 2 * 4096)], { windowBytes: 8 * 4096 });
    await t.receiverReaches((progress) => (progress.files[0]?.bytes ?? 0) > 0);
    await t.receiver.cancel(0);
    const { send, receive } = await t.settled;
    expect(receive.files.map((f) => f.state)).toEqual(['cancelled', 'complete']);
    expect(send.state).toBe('done');
    expect(payloadBytes(t.senderEnd.sent)).toBeLessThan(64 * 4096);
  });

  test('a file cancelled while it is being verified is not recorded as verified', async () => {
    const gate = { open: (): void => {}, asked: false };
    const opened = new Promise<void>((resolve) => (gate.open = resolve));
    const verified: number[] = [];
    class SlowCheckStore extends MemoryChunkStore {
      override async hashes(file: number): Promise<Uint8Array[]> {
        gate.asked = true;
        await opened;
        return super.hashes(file);
      }
      override async verified(file: number): Promise<void> {
        verified.push(file);
      }
    }
    const t = startTransfer([randomFile('photo', 3 * 4096)], { store: new SlowCheckStore() });
    await t.receiverReaches((progress) => progress.files[0]?.state === 'verifying');
    while (!gate.asked) await new Promise((resolve) => setTimeout(resolve, 1));
    await t.receiver.cancel();
    gate.open();
    const { receive } = await t.settled;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(receive.files[0]!.state).toBe('failed');
    expect(verified).toEqual([]);
  });

  test('cancelling the whole share on the sender tells the receiver', async () => {
    const t = startTransfer([randomFile('a', 64 * 4096)], { windowBytes: 8 * 4096 });
    await t.receiverReaches((progress) => (progress.files[0]?.bytes ?? 0) > 0);
    t.sender.cancel();
    const { send, receive } = await t.settled;
    expect(send.state).toBe('cancelled');
    expect(receive.state).toBe('cancelled');
    expect(receive.files[0]!.state).toBe('failed');
  });
});

describe('errors', () => {
  test('a malformed data frame fails the transfer with a clear reason, on both sides', async () => {
    const t = startTransfer([randomFile('a', 4 * 4096)], {
      senderChannel: { tamper: (data) => (typeof data === 'string' ? data : new Uint8Array([1, 2, 3]).buffer) },
    });
    const { send, receive } = await t.settled;
    expect(receive.state).toBe('failed');
    expect(receive.error).toBe('the sender broke the protocol: data frame shorter than its header');
    expect(receive.files[0]!.state).toBe('failed');
    expect(send.state).toBe('failed');
    expect(send.error).toContain('the receiver reported');
  });

  test('a malformed control message fails the transfer with a clear reason', async () => {
    const t = startTransfer([randomFile('a', 10)], { senderChannel: { tamper: (data) => (typeof data === 'string' ? '{"type":"manifest"}' : data) } });
    const { receive } = await t.settled;
    expect(receive.state).toBe('failed');
    expect(receive.error).toMatch(/^the sender broke the protocol: bad control message/);
  });

  test('a chunk outside the manifest is refused', async () => {
    const t = startTransfer([randomFile('a', 2 * 4096)], {
      senderChannel: {
        tamper: (data) => {
          if (typeof data === 'string') return data;
          const copy = data.slice(0);
          new DataView(copy).setUint32(4, 99);
          return copy;
        },
      },
    });
    const { receive } = await t.settled;
    expect(receive.error).toMatch(/chunk 0\/99 is outside the manifest/);
  });

  test('the channel closing mid-file pauses both sides to reconnect: nothing shown complete, nothing shown failed, the reason kept', async () => {
    let frames = 0;
    const t = startTransfer([randomFile('a', 64 * 4096), randomFile('b', 10)], {
      windowBytes: 16 * 4096,
      senderChannel: {
        tamper: (data) => {
          if (typeof data !== 'string' && ++frames === 5) setImmediate(() => t.senderEnd.close());
          return data;
        },
      },
    });
    const { send, receive } = await t.settled;
    expect(receive.state).toBe('reconnecting');
    expect(receive.error).toBe('the connection closed');
    // Still on their way: the first file had started, the second had not.
    expect(receive.files.map((f) => f.state)).toEqual(['receiving', 'waiting']);
    expect(send.state).toBe('reconnecting');
  });

  test('a full disk pauses the transfer: nothing is shown complete, the reason is kept, and a retry finishes it', async () => {
    let room = 2;
    const store = new (class extends MemoryChunkStore {
      override async put(file: number, chunk: number, payload: Uint8Array, hash: Uint8Array): Promise<void> {
        if (room-- <= 0) throw new StorageFullError('no room left on this device');
        return super.put(file, chunk, payload, hash);
      }
    })();
    const file = randomFile('a', 16 * 4096);
    const t = startTransfer([file], { store });
    const { send, receive } = await t.settled;
    expect(receive.state).toBe('paused');
    expect(receive.error).toBe('no room left on this device');
    expect(receive.files[0]!.state).toBe('paused');
    expect(send).toMatchObject({ state: 'paused', error: 'the receiving device is out of storage space' });
    // What was stored stays stored: a resume starts after it.
    expect(await store.open(receive.manifest!)).toEqual([2]);

    // Still full: pauses again rather than failing.
    await t.receiver.retry();
    await until('paused again', () => t.receiver.progress.state === 'paused' && t.sender.progress.state === 'paused');

    room = Infinity;
    await t.receiver.retry();
    await until('done', () => t.receiver.progress.state === 'done' && t.sender.progress.state === 'done');
    expect(t.receiver.progress.files[0]).toMatchObject({ state: 'complete', bytes: file.data.byteLength });
    expect(t.sender.progress.deliveredBytes).toBe(file.data.byteLength);
    expect(await storedBytes(t.store, 0)).toEqual(file.data);
  });

});
