import type { TransferChannel } from './channel.ts';
import { StorageFullError, TransferBusyError, type ChunkStore } from './chunk-store.ts';
import { PAUSE_STORAGE_FULL, type ReasonCode } from './reasons.ts';
import { equalBytes, fileRoot, sha256 } from './hashing.ts';
import {
  ProtocolError,
  chunkCount,
  chunkLength,
  decodeDataFrame,
  encodeControl,
  sameTransfer,
  parseControl,
  type ControlMessage,
  type Manifest,
} from './protocol.ts';

/** `paused`: storage ran out before the file was whole; it continues after retry(). */
export type FileState = 'waiting' | 'receiving' | 'verifying' | 'complete' | 'paused' | 'failed' | 'cancelled';

export interface IncomingFileProgress {
  state: FileState;
  /** Bytes verified and committed to storage. */
  bytes: number;
  error?: string;
  /** Why it failed, as a code the page words (transfer/reasons.ts). */
  reason?: ReasonCode;
}

/**
 * `reconnecting`: the channel is gone and the transfer waits for a new one (attach()); nothing is lost, rows keep
 * their states. `paused`: storage ran out; retry() goes on.
 */
export type ReceiveState = 'connecting' | 'receiving' | 'reconnecting' | 'done' | 'paused' | 'failed' | 'cancelled' | 'declined';

/**
 * Asked with the sender's first manifest, before anything is written to storage: whether the person takes these
 * files. False declines the transfer; the sender is told (`decline`) and nothing is stored.
 */
export type Consent = (manifest: Manifest, text: string | undefined) => Promise<boolean>;

export interface ReceiveProgress {
  state: ReceiveState;
  manifest?: Manifest;
  files: IncomingFileProgress[];
  /** The text the sender shares with the files, once it arrived. */
  text?: string;
  error?: string;
  /** Why it paused, failed or was cancelled, as a code the page words (transfer/reasons.ts). */
  reason?: ReasonCode;
}

interface FileTracking {
  chunks: number;
  /** Which chunks are committed; a chunk sent again after a bad hash is counted once. */
  committed: Uint8Array;
  committedCount: number;
  /** Chunks asked for again (`nack`) and not yet received whole: a root that arrives meanwhile may be stale. */
  awaited: Set<number>;
  /** Chunks that failed their hash once: failing again after being sent again, the file cannot arrive right. */
  failedOnce: Set<number>;
  root?: string;
}


/**
 * Receives one sender's files into a ChunkStore: checks every frame, verifies
 * every chunk against its hash and every file against its root, and grants the
 * sender credit only for what storage has committed. The session outlives its
 * channel: a lost channel leaves it `reconnecting`, and a new authenticated one
 * (attach) continues it from what is stored, once the sender's manifest on it
 * matches (docs/architecture.md, "Channel life cycle").
 */
export class ReceiveSession {
  #channel: TransferChannel;
  /** Which channel is current: messages and closes of a replaced one are ignored. */
  #generation = 0;
  readonly #store: ChunkStore;
  readonly #onProgress: (progress: ReceiveProgress) => void;
  readonly #consent: Consent;
  #progress: ReceiveProgress = { state: 'connecting', files: [] };
  #tracking: FileTracking[] = [];
  /** Frames are checked one after another so hashing never reorders them. */
  #queue: Promise<void> = Promise.resolve();
  #unacked = 0;
  #ackQueued = false;

  constructor(channel: TransferChannel, store: ChunkStore, onProgress: (progress: ReceiveProgress) => void, consent: Consent = async () => true) {
    this.#channel = channel;
    this.#store = store;
    this.#onProgress = onProgress;
    this.#consent = consent;
    this.#listen(channel);
  }

  #listen(channel: TransferChannel): void {
    const generation = ++this.#generation;
    this.#channel = channel;
    this.#take(channel, generation);
    channel.onClose((reason) => {
      if (generation === this.#generation) this.interrupt(reason);
    });
  }

  /**
   * Takes data frames from another channel of the same connection, authenticated like the first (striping,
   * docs/protocols.md). Its frames join the one queue, so they are checked, stored and acknowledged exactly as
   * the first channel's, in whatever order they come: the header says where each chunk goes. Nothing is sent on
   * it; when it closes, the sender asks again where this side stands.
   */
  addStripe(stripe: TransferChannel): void {
    this.#take(stripe, this.#generation);
  }

  /** Queues what `channel` brings while `generation` is current: frames of a replaced channel still queued are dropped too. */
  #take(channel: TransferChannel, generation: number): void {
    channel.onMessage((data) => {
      this.#queue = this.#queue.then(() => (generation === this.#generation ? this.#receive(data) : undefined));
    });
  }

  /**
   * Continues the transfer on a new channel to the same sender, authenticated like the first. The sender's
   * manifest on it is answered with `resume` from what is committed; the old channel is ignored from now on.
   */
  attach(channel: TransferChannel): void {
    if (this.#progress.state === 'failed') {
      channel.close();
      return;
    }
    // A cancelled transfer listens too: the sender's manifest is answered with `cancel`, so a sender that was away
    // when the person cancelled learns it (#manifestAgain) instead of reconnecting again and again.
    this.#listen(channel);
    // Credit owed on the old channel went with it; what the sender re-sends is counted afresh.
    this.#unacked = 0;
    for (const tracking of this.#tracking) tracking.awaited.clear();
    if (this.#progress.state === 'receiving' || this.#progress.state === 'connecting') this.#update({ state: 'reconnecting' });
  }

  get progress(): ReceiveProgress {
    return this.#progress;
  }

  /**
   * The channel to the sender is gone (`reason`: "the connection closed", "the sender left"): the transfer
   * waits, `reconnecting`, for a new channel (attach), with everything stored kept and nothing shown failed.
   * Also for losses the channel itself does not report, such as the peer connection being closed.
   */
  interrupt(reason: string): void {
    if (this.#progress.state === 'receiving' || this.#progress.state === 'connecting') this.#update({ state: 'reconnecting', error: reason, reason: 'connection-lost' });
  }

  /**
   * After a pause for lack of storage (once space was freed): asks the sender
   * to go on from what storage holds. A store still full pauses again.
   */
  async retry(): Promise<void> {
    const manifest = this.#progress.manifest;
    if (this.#progress.state !== 'paused' || !manifest) return;
    await this.#store.flush();
    const have = await this.#store.open(manifest);
    this.#progress.files.forEach((file, i) => {
      if (file.state !== 'paused') return;
      const tracking = this.#tracking[i]!;
      // Chunks past the resume point come again; those already counted are credited and dropped.
      tracking.committed.fill(1, 0, Math.min(have[i] ?? 0, tracking.chunks));
      tracking.committedCount = tracking.committed.reduce((n, c) => n + c, 0);
      const bytes = tracking.committed.reduce((n, c, chunk) => n + c * chunkLength(manifest.files[i]!.size, manifest.chunkSize, chunk), 0);
      this.#progress.files[i] = { state: 'waiting', bytes };
    });
    this.#update({ state: 'receiving', error: undefined, reason: undefined });
    this.#control({ type: 'resume', have: this.#tracking.map((t) => firstMissing(t.committed)) });
  }

  /** Stops one file, or the whole transfer; the sender is told and the file's chunks are dropped. */
  async cancel(file?: number): Promise<void> {
    if (this.#isOver && this.#progress.state !== 'paused') return;
    this.#control(file === undefined ? { type: 'cancel' } : { type: 'cancel', file });
    if (file === undefined) {
      this.#end('cancelled');
      return;
    }
    this.#setFile(file, { state: 'cancelled' });
    await this.#store.discard(file);
    this.#checkAllDone();
  }

  get #isOver(): boolean {
    return ['done', 'failed', 'cancelled', 'paused', 'declined'].includes(this.#progress.state);
  }

  async #receive(data: string | ArrayBuffer): Promise<void> {
    if (this.#progress.state === 'failed') return;
    try {
      if (typeof data === 'string') {
        const message = parseControl(data);
        // A transfer that is over, or paused, still answers a sender that comes back with its manifest.
        if (this.#isOver && message.type !== 'manifest' && message.type !== 'text') return;
        await this.#handle(message);
      } else if (!this.#isOver) await this.#chunk(data);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#control({ type: 'error', message: reason.slice(0, 1000) });
      if (error instanceof ProtocolError) this.#end('failed', `the sender broke the protocol: ${reason}`, 'protocol');
      else this.#end('failed', reason, error instanceof TransferBusyError ? 'transfer-busy' : 'failed');
    }
  }

  async #handle(message: ControlMessage): Promise<void> {
    switch (message.type) {
      case 'manifest': {
        if (this.#progress.manifest) {
          await this.#manifestAgain(this.#progress.manifest, message);
          return;
        }
        if (this.#progress.state === 'declined') {
          this.#control({ type: 'decline' });
          return;
        }
        // Nothing is stored before the person says yes: open() writes the transfer's record.
        const accepted = await this.#consent(message, this.#progress.text);
        if (this.#isOver) return; // cancelled or stopped while asking
        if (!accepted) {
          this.#control({ type: 'decline' });
          this.#update({ state: 'declined' });
          return;
        }
        const have = await this.#store.open(message);
        this.#tracking = message.files.map((entry, i) => {
          const chunks = chunkCount(entry.size, message.chunkSize);
          const committed = new Uint8Array(chunks);
          const held = Math.min(have[i] ?? 0, chunks);
          committed.fill(1, 0, held);
          return { chunks, committed, committedCount: held, awaited: new Set<number>(), failedOnce: new Set<number>() };
        });
        this.#update({
          state: 'receiving',
          manifest: message,
          files: message.files.map((entry, i) => ({
            state: 'waiting',
            bytes: Math.min(entry.size, (have[i] ?? 0) * message.chunkSize),
          })),
        });
        this.#control({ type: 'resume', have: this.#tracking.map((t) => t.committedCount) });
        // A share of only a text has no file to wait for.
        this.#checkAllDone();
        return;
      }
      case 'text':
        // Kept in memory only: it is shown, never stored, and the sender sends it again on every channel.
        if (this.#progress.text !== message.text) this.#update({ text: message.text });
        return;
      case 'file-end': {
        const tracking = this.#tracking[message.file];
        if (!tracking || message.chunks !== tracking.chunks) throw new ProtocolError('file-end does not match the manifest');
        // The sender sends the root again after the chunks it is asked for: that later one counts.
        if (tracking.awaited.size > 0) return;
        tracking.root = message.root;
        await this.#verifyIfComplete(message.file);
        return;
      }
      case 'cancel':
        if (message.file === undefined) this.#end('cancelled', 'the sender cancelled', 'cancelled-by-peer');
        else if (this.#tracking[message.file]) {
          this.#setFile(message.file, { state: 'cancelled' });
          await this.#store.discard(message.file);
          this.#checkAllDone();
        }
        return;
      case 'error':
        this.#end('failed', `the sender reported: ${message.message}`, 'peer-failed');
        return;
      default:
        throw new ProtocolError(`unexpected ${message.type} from the sender`);
    }
  }

  /**
   * The sender's manifest on a new channel (or once more on this one): the same transfer goes on from what is
   * committed; a finished one says it has everything, a cancelled one says so, a paused one pauses again.
   */
  async #manifestAgain(known: Manifest, message: Manifest): Promise<void> {
    if (!sameTransfer(known, message)) throw new ProtocolError('the sender sent another transfer on this link');
    switch (this.#progress.state) {
      case 'cancelled':
        this.#control({ type: 'cancel' });
        return;
      case 'paused':
        this.#control({ type: 'pause', code: PAUSE_STORAGE_FULL, reason: 'the receiving device is out of storage space' });
        return;
      case 'done':
        break;
      default:
        this.#update({ state: 'receiving', error: undefined, reason: undefined });
    }
    this.#control({ type: 'resume', have: this.#tracking.map((t) => firstMissing(t.committed)) });
  }

  async #chunk(frame: ArrayBuffer): Promise<void> {
    const manifest = this.#progress.manifest;
    if (!manifest) throw new ProtocolError('data before the manifest');
    const { file, chunk, hash, payload } = decodeDataFrame(frame);
    const entry = manifest.files[file];
    const tracking = this.#tracking[file];
    if (!entry || !tracking || chunk >= tracking.chunks) throw new ProtocolError(`chunk ${file}/${chunk} is outside the manifest`);
    if (payload.byteLength !== chunkLength(entry.size, manifest.chunkSize, chunk)) throw new ProtocolError(`chunk ${file}/${chunk} has the wrong length`);
    const fileState = this.#progress.files[file]!.state;
    if (fileState === 'cancelled' || fileState === 'failed' || tracking.committed[chunk]) {
      // Dropped, but the sender counted it against its window: give the credit back.
      this.#credit(payload.byteLength);
      return;
    }
    if (!equalBytes(await sha256(payload), hash)) {
      if (tracking.failedOnce.has(chunk)) {
        this.#credit(payload.byteLength);
        await this.#giveUp(file);
        return;
      }
      tracking.failedOnce.add(chunk);
      tracking.awaited.add(chunk);
      this.#control({ type: 'nack', file, chunk });
      return;
    }
    tracking.awaited.delete(chunk);
    if (fileState === 'waiting') this.#setFile(file, { state: 'receiving' });
    // Not awaited: storage commits in batches while later frames are checked.
    // The store may take the payload's buffer, so its length is read now.
    const bytes = payload.byteLength;
    this.#store.put(file, chunk, payload, hash).then(
      () => this.#committed(file, chunk, bytes),
      (error: unknown) => this.#storageFailed(error),
    );
  }

  #committed(file: number, chunk: number, bytes: number): void {
    if (this.#isOver) return;
    const tracking = this.#tracking[file]!;
    if (tracking.committed[chunk] || this.#progress.files[file]!.state === 'cancelled') {
      this.#credit(bytes);
      return;
    }
    tracking.committed[chunk] = 1;
    tracking.committedCount++;
    this.#setFile(file, { bytes: this.#progress.files[file]!.bytes + bytes });
    const fileDone = tracking.committedCount === tracking.chunks;
    this.#credit(bytes);
    if (fileDone) this.#queue = this.#queue.then(() => this.#verifyIfComplete(file));
  }

  /**
   * Gives the sender credit back. Storage commits chunks in batches and settles
   * them together, so one ack at the end of this turn covers the whole batch.
   * Acking at once rather than per so many bytes means the receiver never has
   * to know the sender's window to avoid stalling it.
   */
  #credit(bytes: number): void {
    this.#unacked += bytes;
    if (this.#ackQueued) return;
    this.#ackQueued = true;
    queueMicrotask(() => {
      this.#ackQueued = false;
      this.#ack();
    });
  }

  #ack(): void {
    if (this.#unacked === 0) return;
    this.#control({ type: 'ack', bytes: this.#unacked });
    this.#unacked = 0;
  }

  async #verifyIfComplete(file: number): Promise<void> {
    const tracking = this.#tracking[file]!;
    const state = this.#progress.files[file]!.state;
    if (tracking.root === undefined || tracking.committedCount < tracking.chunks) return;
    if (state === 'complete' || state === 'failed' || state === 'cancelled' || state === 'verifying') return;
    this.#setFile(file, { state: 'verifying' });
    await this.#store.flush();
    const root = await fileRoot(await this.#store.hashes(file));
    // Cancelled, or the transfer ended, while it was checked: its bytes are being discarded, so it is not recorded
    // as verified (the library would list a file with nothing behind it). A pause keeps them: the check stands.
    const now = this.#progress.files[file]!.state;
    if (now === 'cancelled' || now === 'failed') return;
    if (root === tracking.root) {
      await this.#store.verified(file);
      this.#setFile(file, { state: 'complete' });
    } else {
      await this.#store.discard(file);
      this.#setFile(file, { state: 'failed', error: 'the file did not match its hash and was discarded', reason: 'hash-mismatch' });
    }
    this.#checkAllDone();
  }

  /**
   * A chunk failed its hash again after it was sent again: the file cannot arrive intact. The sender stops sending
   * it, what was stored of it goes, and the other files go on.
   */
  async #giveUp(file: number): Promise<void> {
    if (this.#progress.files[file]!.state === 'failed') return;
    this.#control({ type: 'cancel', file });
    this.#setFile(file, { state: 'failed', error: 'part of it still did not match its hash after it was sent again; it was discarded', reason: 'hash-mismatch-again' });
    await this.#store.discard(file);
    this.#checkAllDone();
  }

  #storageFailed(error: unknown): void {
    if (this.#isOver) return;
    if (error instanceof StorageFullError) {
      // Nothing stored is lost; the transfer continues from there once there is room (retry()).
      this.#control({ type: 'pause', code: PAUSE_STORAGE_FULL, reason: 'the receiving device is out of storage space' });
      this.#end('paused', error.message, 'storage-full');
    } else {
      const reason = `could not store the file: ${error instanceof Error ? error.message : String(error)}`;
      this.#control({ type: 'error', message: reason });
      this.#end('failed', reason, 'storage-failed');
    }
  }

  #checkAllDone(): void {
    const settled = this.#progress.files.every((f) => f.state === 'complete' || f.state === 'failed' || f.state === 'cancelled');
    if (settled && this.#progress.state === 'receiving') this.#end('done');
  }

  #control(message: ControlMessage): void {
    if (this.#channel.isOpen) this.#channel.send(encodeControl(message));
  }

  #end(state: ReceiveState, error?: string, reason?: ReasonCode): void {
    // Files still in flight are not complete, whatever else happens; say so on their rows.
    // A pause is said once for the whole transfer, not on every row.
    const unfinished: Partial<IncomingFileProgress> = state === 'paused' ? { state: 'paused' } : { state: 'failed', error: error ?? state, reason: reason ?? (state === 'cancelled' ? 'cancelled' : 'failed') };
    const files = this.#progress.files.map((f) =>
      state !== 'done' && (f.state === 'waiting' || f.state === 'receiving' || f.state === 'verifying') ? { ...f, ...unfinished } : f,
    );
    this.#update({ state, files, ...(error !== undefined && { error }), ...(reason && { reason }) });
  }

  /** Called once per chunk: updates the one file in place rather than copying every file's entry. */
  #setFile(file: number, patch: Partial<IncomingFileProgress>): void {
    this.#progress.files[file] = { ...this.#progress.files[file]!, ...patch };
    this.#update({});
  }

  #update(patch: Partial<ReceiveProgress>): void {
    this.#progress = { ...this.#progress, ...patch };
    this.#onProgress(this.#progress);
  }
}

/** The first chunk not committed: where the sender resumes a file. */
function firstMissing(committed: Uint8Array): number {
  const index = committed.indexOf(0);
  return index < 0 ? committed.length : index;
}
