import { randomBytes } from 'node:crypto';
import type { ChunkStore } from '../../web/src/transfer/chunk-store.ts';
import { MemoryChunkStore } from '../../web/src/storage/memory-chunk-store.ts';
import type { FileEntry } from '../../web/src/transfer/protocol.ts';
import { ReceiveSession, type ReceiveProgress } from '../../web/src/transfer/receiver.ts';
import { SendSession, type OutgoingFile, type SendProgress } from '../../web/src/transfer/sender.ts';
import type { ShareHashes } from '../../web/src/transfer/share-hashes.ts';
import { fakeChannelPair, type FakeChannelEnd, type FakeChannelOptions } from './fake-channel.ts';

export const TRANSFER_ID = 'AAAAAAAAAAAAAAAAAAAAAA';

export function outgoing(name: string, data: Uint8Array): OutgoingFile {
  const entry: FileEntry = { name, path: name, size: data.byteLength, type: 'application/octet-stream', lastModified: 0 };
  return { entry, blob: new Blob([data as Uint8Array<ArrayBuffer>]) };
}

export const randomFile = (name: string, size: number): { name: string; data: Uint8Array } => ({ name, data: new Uint8Array(randomBytes(size)) });

export interface Harness {
  sender: SendSession;
  receiver: ReceiveSession;
  senderEnd: FakeChannelEnd;
  receiverEnd: FakeChannelEnd;
  store: ChunkStore;
  /** Resolves once both sessions have stopped (done, failed, cancelled or paused). */
  settled: Promise<{ send: SendProgress; receive: ReceiveProgress }>;
  /** Control messages the receiver sent, parsed. */
  receiverMessages(): Array<Record<string, unknown>>;
  /** Resolves once the receiver reports progress for which `reached` holds. */
  receiverReaches(reached: (progress: ReceiveProgress) => boolean): Promise<void>;
}

export interface HarnessOptions {
  chunkSize?: number;
  windowBytes?: number;
  store?: ChunkStore;
  /** Chunk hashes the sender shares with other receivers or hashed ahead. */
  hashes?: ShareHashes;
  /** Tampering with what the sender sends. */
  senderChannel?: FakeChannelOptions;
}

const over = (state: string): boolean => state !== 'connecting' && state !== 'receiving' && state !== 'sending';

/** A SendSession and a ReceiveSession joined by an in-memory channel pair, started. */
export function startTransfer(files: Array<{ name: string; data: Uint8Array }>, options: HarnessOptions = {}): Harness {
  const [senderEnd, receiverEnd] = fakeChannelPair(options.senderChannel ?? {});
  const store = options.store ?? new MemoryChunkStore();
  let send: SendProgress | undefined;
  let receive: ReceiveProgress | undefined;
  let resolve: (value: { send: SendProgress; receive: ReceiveProgress }) => void = () => {};
  const settled = new Promise<{ send: SendProgress; receive: ReceiveProgress }>((r) => (resolve = r));
  const check = (): void => {
    if (send && receive && over(send.state) && over(receive.state)) resolve({ send, receive });
  };
  let waiters: Array<{ reached: (progress: ReceiveProgress) => boolean; resolve: () => void }> = [];
  const receiver = new ReceiveSession(receiverEnd, store, (p) => {
    receive = p;
    check();
    waiters = waiters.filter((w) => !(w.reached(p) && (w.resolve(), true)));
  });
  const sender = new SendSession(
    senderEnd,
    files.map((f) => outgoing(f.name, f.data)),
    { transferId: TRANSFER_ID, chunkSize: options.chunkSize ?? 4096, ...(options.windowBytes ? { windowBytes: options.windowBytes } : {}), ...(options.hashes ? { hashes: options.hashes } : {}) },
    (p) => {
      send = p;
      check();
    },
  );
  sender.start();
  return {
    sender,
    receiver,
    senderEnd,
    receiverEnd,
    store,
    settled,
    receiverMessages: () => receiverEnd.sent.filter((m): m is string => typeof m === 'string').map((m) => JSON.parse(m) as Record<string, unknown>),
    receiverReaches: (reached) => (receive && reached(receive) ? Promise.resolve() : new Promise((resolve) => waiters.push({ reached, resolve }))),
  };
}

/** The bytes the store holds for a file. */
export async function storedBytes(store: ChunkStore, file: number): Promise<Uint8Array> {
  return new Uint8Array(await (await store.blob(file)).arrayBuffer());
}

/**
 * A SendSession and a ReceiveSession joined by a channel pair that a test drives step by step: it starts the
 * sender, replaces channels (`ends`, `attach`) and adds stripes when it chooses, and waits on any state with `until`.
 */
export function sessionPair<Store extends ChunkStore>(files: Array<{ name: string; data: Uint8Array }>, options: { chunkSize: number; windowBytes: number; store: Store }) {
  const { store } = options;
  let send: SendProgress | undefined;
  let receive: ReceiveProgress | undefined;
  const waiters: Array<() => void> = [];
  const changed = () => waiters.splice(0).forEach((wake) => wake());
  const [senderEnd, receiverEnd] = fakeChannelPair();
  const receiver = new ReceiveSession(receiverEnd, store, (p) => {
    receive = p;
    changed();
  });
  const sender = new SendSession(senderEnd, files.map((f) => outgoing(f.name, f.data)), { transferId: TRANSFER_ID, chunkSize: options.chunkSize, windowBytes: options.windowBytes }, (p) => {
    send = p;
    changed();
  });
  const until = async (reached: () => boolean): Promise<void> => {
    while (!reached()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  const stripe = (channel: FakeChannelOptions = {}): FakeChannelEnd => {
    const [a, b] = fakeChannelPair(channel);
    sender.addStripe(a);
    receiver.addStripe(b);
    return a;
  };
  return {
    sender,
    receiver,
    store,
    ends: [senderEnd, receiverEnd] as [FakeChannelEnd, FakeChannelEnd],
    stripe,
    send: () => send,
    receive: () => receive,
    until,
    done: () => until(() => send?.state === 'done' && receive?.state === 'done'),
  };
}
