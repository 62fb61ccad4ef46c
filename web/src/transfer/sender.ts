import type { TransferChannel } from './channel.ts';
import { HIGH_WATER_BYTES } from './channel.ts';
import { fileRoot } from './hashing.ts';
import { readFrames, type OutgoingFrame } from './frame-reader.ts';
import {
  PROTOCOL_VERSION,
  ProtocolError,
  chunkCount,
  chunkLength,
  encodeControl,
  parseControl,
  type ControlMessage,
  type FileEntry,
} from './protocol.ts';
import { Pulse } from './pulse.ts';
import { ShareHashes } from './share-hashes.ts';
import { PAUSE_STORAGE_FULL, type ReasonCode } from './reasons.ts';

export interface OutgoingFile {
  entry: FileEntry;
  blob: Blob;
}

/**
 * `paused`: the receiver ran out of storage; sending continues when it says `resume` again. `reconnecting`: the
 * channel is gone; a new one (attach) continues from where the receiver says it stands.
 */
export type SendState = 'connecting' | 'sending' | 'paused' | 'reconnecting' | 'done' | 'failed' | 'cancelled' | 'declined';

export interface SendProgress {
  state: SendState;
  /** Bytes the receiver has committed to its storage. */
  deliveredBytes: number;
  totalBytes: number;
  error?: string;
  /**
   * Why it paused, failed or was cancelled, as a code the page words (transfer/reasons.ts). A pause's code comes
   * from the receiver and may be one this release does not know.
   */
  reason?: string;
}

export interface SendOptions {
  transferId: string;
  chunkSize: number;
  /** Most unacknowledged payload bytes in flight: bounds the receiver's memory. */
  windowBytes?: number;
  /** Chunk hashes shared with the share's other receivers; hashed ahead where the share had time. */
  hashes?: ShareHashes;
  /** A text shared with the files (at most MAX_TEXT_BYTES), or none. */
  text?: string | undefined;
}

/** Receivers acknowledge after committing to storage, in 4 MiB batches; 32 MiB keeps the wire busy while they write and bounds their memory. */
export const DEFAULT_WINDOW_BYTES = 32 * 1024 * 1024;

/**
 * Sends a set of files to one receiver: manifest, then chunks from wherever the
 * receiver says it stands, under two limits: the channel's send queue and the
 * receiver's credit window. The session outlives its channel: a lost one leaves
 * it `reconnecting`, and a new authenticated one (attach) starts over with the
 * manifest and goes on from the receiver's `resume`, so at most a window is sent
 * again (docs/architecture.md, "Channel life cycle").
 */
export class SendSession {
  #channel: TransferChannel;
  /**
   * Extra channels of the same connection that carry data frames only (striping, docs/protocols.md): control
   * messages, the chunks sent again after a `nack` and their `file-end` stay on #channel, so they keep their order.
   */
  #stripes: TransferChannel[] = [];
  /** Which channel is current: messages and closes of a replaced one are ignored. */
  #generation = 0;
  readonly #files: readonly OutgoingFile[];
  readonly #options: Required<Omit<SendOptions, 'hashes' | 'text'>>;
  readonly #text: string | undefined;
  readonly #onProgress: (progress: SendProgress) => void;
  readonly #changed = new Pulse();
  /** Chunk hashes, kept so a resumed, repeated or shared chunk is not hashed twice. */
  readonly #hashes: ShareHashes;
  readonly #cancelledFiles = new Set<number>();
  readonly #resend: Array<{ file: number; chunk: number }> = [];
  /** Files whose `file-end` went out: a chunk of one sent again afterwards needs a `file-end` with the fresh root. */
  readonly #endSent = new Set<number>();
  #progress: SendProgress;
  #inFlight = 0;
  /** Which pump may send: a pause retires the running one, a resume starts the next. */
  #run = 0;
  /** Whose turn it is among the open channels for the next data frame (#nextWithRoom). */
  #turn = 0;

  constructor(channel: TransferChannel, files: readonly OutgoingFile[], options: SendOptions, onProgress: (p: SendProgress) => void) {
    this.#channel = channel;
    this.#files = files;
    const { hashes = new ShareHashes(), text, ...limits } = options;
    this.#text = text || undefined;
    this.#options = { windowBytes: DEFAULT_WINDOW_BYTES, ...limits };
    this.#onProgress = onProgress;
    this.#hashes = hashes;
    this.#progress = { state: 'connecting', deliveredBytes: 0, totalBytes: files.reduce((n, f) => n + f.entry.size, 0) };
    this.#listen(channel);
  }

  #listen(channel: TransferChannel): void {
    const generation = ++this.#generation;
    this.#channel = channel;
    this.#take(channel, generation);
    channel.onClose((reason) => {
      if (generation === this.#generation) this.#lost(reason);
    });
  }

  /** How many channels carry data now: the session's channel and its open stripes. */
  get channelCount(): number {
    return 1 + this.#stripes.length;
  }

  /**
   * Adds a channel of the same connection, authenticated like the first, that carries data frames alongside it.
   * When it closes, the session asks where the receiver stands (the manifest again, answered by `resume`) and
   * sends what is missing on the channels left: at most a window again, as after a lost channel.
   */
  addStripe(stripe: TransferChannel): void {
    if (this.#finished || this.#progress.state === 'reconnecting') {
      stripe.close();
      return;
    }
    const generation = this.#generation;
    this.#stripes.push(stripe);
    this.#take(stripe, generation);
    stripe.onClose(() => {
      if (generation !== this.#generation || !this.#stripes.includes(stripe)) return;
      this.#stripes = this.#stripes.filter((s) => s !== stripe);
      if (this.#finished || this.#progress.state === 'reconnecting' || this.#progress.state === 'paused') return;
      // Frames still queued on it are lost; the receiver's resume says which chunks those were.
      this.#retire();
      this.start();
    });
    this.#changed.fire();
  }

  /** Handles what `channel` brings while `generation` is current: messages of a replaced channel are ignored. */
  #take(channel: TransferChannel, generation: number): void {
    channel.onMessage((data) => {
      if (generation === this.#generation) this.#receive(data);
    });
  }

  /** Continues on a new channel to the same receiver, authenticated like the first: the manifest again, then its resume. */
  attach(channel: TransferChannel): void {
    if (this.#finished) {
      channel.close();
      return;
    }
    this.#dropStripes();
    this.#listen(channel);
    this.#retire();
    this.#update({ state: 'connecting', error: undefined, reason: undefined });
    this.start();
  }

  /** The channel is gone: stop sending and wait, `reconnecting`, for attach(). */
  #lost(reason: string): void {
    if (this.#finished || this.#progress.state === 'reconnecting') return;
    this.#dropStripes();
    this.#retire();
    this.#update({ state: 'reconnecting', error: reason, reason: 'connection-lost' satisfies ReasonCode });
  }

  /** Stripes belong to the session's channel: when it goes, they go, and the next one gets its own. */
  #dropStripes(): void {
    const stripes = this.#stripes;
    this.#stripes = [];
    for (const stripe of stripes) stripe.close();
  }

  /**
   * Retires the running pump and forgets what was in flight: after a pause, a lost channel or a repeated
   * resume, the receiver's next `resume` says what it holds, and sending starts over from there.
   */
  #retire(): void {
    this.#run++;
    this.#inFlight = 0;
    this.#resend.length = 0;
    this.#endSent.clear();
    this.#changed.fire();
  }

  get progress(): SendProgress {
    return this.#progress;
  }

  /** Announces the text and the files; sending starts when the receiver answers with its resume point. */
  start(): void {
    // Before the manifest: the receiver knows there is a text when it offers the files to the person.
    if (this.#text) this.#control({ type: 'text', text: this.#text });
    this.#control({
      type: 'manifest',
      version: PROTOCOL_VERSION,
      transferId: this.#options.transferId,
      chunkSize: this.#options.chunkSize,
      files: this.#files.map((f) => f.entry),
    });
  }

  /** Stops one file, or everything when no file is given; the receiver is told. */
  cancel(file?: number): void {
    if (this.#finished) return;
    this.#control(file === undefined ? { type: 'cancel' } : { type: 'cancel', file });
    if (file === undefined) this.#end('cancelled');
    else this.#cancelledFiles.add(file);
    this.#changed.fire();
  }

  get #finished(): boolean {
    return ['done', 'failed', 'cancelled', 'declined'].includes(this.#progress.state);
  }

  #receive(data: string | ArrayBuffer): void {
    if (this.#finished) return;
    try {
      if (typeof data !== 'string') throw new ProtocolError('the receiver sent binary data');
      this.#handle(parseControl(data));
    } catch (error) {
      this.#fail(error instanceof Error ? error.message : String(error), true, error instanceof ProtocolError ? 'protocol' : 'failed');
    }
  }

  #handle(message: ControlMessage): void {
    switch (message.type) {
      case 'resume': {
        if (message.have.length !== this.#files.length) throw new ProtocolError('resume does not match the manifest');
        // A resume while sending (sent twice, or the receiver retried): start over from what it now says it holds.
        if (this.#progress.state === 'sending') this.#retire();
        const run = this.#run;
        this.#update({ state: 'sending', deliveredBytes: this.#alreadyHeld(message.have), error: undefined, reason: undefined });
        void this.#pump(run, message.have).catch((error: unknown) => this.#fail(String(error), true));
        return;
      }
      case 'pause':
        if (this.#progress.state !== 'sending' && this.#progress.state !== 'connecting') throw new ProtocolError('pause while not sending');
        // What was in flight is dropped by the paused receiver; its next resume says where to start.
        this.#retire();
        this.#update({ state: 'paused', error: message.reason, reason: message.code ?? PAUSE_STORAGE_FULL });
        return;
      case 'ack':
        this.#inFlight = Math.max(0, this.#inFlight - message.bytes);
        this.#update({ deliveredBytes: Math.min(this.#progress.totalBytes, this.#progress.deliveredBytes + message.bytes) });
        this.#changed.fire();
        return;
      case 'nack': {
        const file = this.#files[message.file];
        if (!file || message.chunk >= chunkCount(file.entry.size, this.#options.chunkSize)) throw new ProtocolError('nack for a chunk that does not exist');
        // The receiver dropped the bad copy, so it no longer counts against the window.
        this.#inFlight = Math.max(0, this.#inFlight - chunkLength(file.entry.size, this.#options.chunkSize, message.chunk));
        this.#resend.push({ file: message.file, chunk: message.chunk });
        this.#changed.fire();
        return;
      }
      case 'decline':
        this.#end('declined');
        return;
      case 'cancel':
        if (message.file === undefined) this.#end('cancelled', 'the receiver cancelled', 'cancelled-by-peer');
        else this.#cancelledFiles.add(message.file);
        this.#changed.fire();
        return;
      case 'error':
        this.#fail(`the receiver reported: ${message.message}`, false, 'peer-failed');
        return;
      default:
        throw new ProtocolError(`unexpected ${message.type} from the receiver`);
    }
  }

  #alreadyHeld(have: readonly number[]): number {
    const { chunkSize } = this.#options;
    return this.#files.reduce((n, f, i) => n + Math.min(f.entry.size, (have[i] ?? 0) * chunkSize), 0);
  }

  /** Whether pump `run` may still send: the session goes on and no pause has retired it. */
  #live(run: number): boolean {
    return !this.#finished && run === this.#run;
  }

  async #pump(run: number, have: readonly number[]): Promise<void> {
    const { chunkSize } = this.#options;
    for (const [index, file] of this.#files.entries()) {
      const chunks = chunkCount(file.entry.size, chunkSize);
      const first = Math.min(have[index] ?? 0, chunks);
      for await (const piece of this.#frames(run, index, first, chunks)) {
        if (this.#cancelledFiles.has(index)) break;
        if (!(await this.#sendFrame(run, index, piece))) return;
        if (!(await this.#sendResends(run))) return;
      }
      if (!this.#live(run)) return;
      if (this.#cancelledFiles.has(index)) continue;
      if (!(await this.#sendFileEnd(run, index))) return;
    }
    // Everything is sent; stay for resend requests until the receiver has committed it all.
    while (this.#live(run) && (this.#inFlight > 0 || this.#resend.length > 0)) {
      if (!(await this.#sendResends(run))) return;
      if (this.#inFlight > 0) await this.#changed.wait();
    }
    if (this.#live(run)) this.#end('done');
  }

  async #sendResends(run: number): Promise<boolean> {
    while (this.#resend.length > 0) {
      const { file, chunk } = this.#resend.shift()!;
      if (this.#cancelledFiles.has(file)) continue;
      // Re-read and hashed again: a chunk that arrived corrupted may have been read wrong here too, or the file changed.
      for await (const piece of this.#frames(run, file, chunk, chunk + 1, true)) if (!(await this.#sendFrame(run, file, piece, true))) return false;
      // A root sent before may hold the hash just replaced; the receiver ignores a root that comes while it waits
      // for a chunk it asked for again, so this one is the root it verifies against.
      if (this.#endSent.has(file) && !(await this.#sendFileEnd(run, file))) return false;
    }
    return this.#live(run);
  }

  async #sendFileEnd(run: number, file: number): Promise<boolean> {
    const root = await fileRoot(await this.#allHashes(run, file));
    if (!this.#live(run)) return false;
    this.#control({ type: 'file-end', file, chunks: chunkCount(this.#files[file]!.entry.size, this.#options.chunkSize), root });
    this.#endSent.add(file);
    return true;
  }

  /** Chunks `from`…`to - 1` of a file, framed, with the hashes already known unless `rehash`; their hashes are kept for the file's root. */
  async *#frames(run: number, file: number, from: number, to: number, rehash = false): AsyncGenerator<OutgoingFrame> {
    const { blob, entry } = this.#files[file]!;
    const { chunkSize } = this.#options;
    const known = rehash ? undefined : (chunk: number) => this.#hashes.get(file, chunkSize, chunk);
    for await (const piece of readFrames(blob, file, entry.size, chunkSize, from, to, known)) {
      if (!this.#live(run)) return;
      this.#hashes.set(file, chunkSize, piece.chunk, piece.hash);
      yield piece;
    }
  }

  async #allHashes(run: number, file: number): Promise<Uint8Array[]> {
    const { chunkSize } = this.#options;
    const chunks = chunkCount(this.#files[file]!.entry.size, chunkSize);
    // Chunks the receiver already held may never have been read here; reading them through #frames keeps their hashes.
    const missing = Array.from({ length: chunks }, (_, i) => i).filter((i) => !this.#hashes.get(file, chunkSize, i));
    if (missing.length > 0) for await (const _frame of this.#frames(run, file, missing[0]!, missing.at(-1)! + 1));
    return Array.from({ length: chunks }, (_, i) => this.#hashes.get(file, chunkSize, i)!);
  }

  /**
   * Waits for room under both limits, then sends on the next channel in turn that has room in its queue (only on the
   * session's own channel when `ordered`); false once pump `run` may no longer send.
   */
  async #sendFrame(run: number, file: number, piece: OutgoingFrame, ordered = false): Promise<boolean> {
    const { windowBytes } = this.#options;
    let channel: TransferChannel | undefined;
    while (this.#live(run)) {
      channel = ordered ? (this.#channel.bufferedAmount > HIGH_WATER_BYTES ? undefined : this.#channel) : this.#nextWithRoom();
      if (!this.#channel.isOpen) this.#lost('the connection closed');
      else if (!channel) await Promise.race([...(ordered ? [this.#channel] : this.#open()).map((c) => c.drained()), this.#changed.wait()]);
      else if (this.#inFlight > 0 && this.#inFlight + piece.payloadBytes > windowBytes) await this.#changed.wait();
      else break;
    }
    if (!channel || !this.#live(run) || this.#cancelledFiles.has(file)) return this.#live(run);
    channel.send(piece.frame);
    this.#inFlight += piece.payloadBytes;
    return true;
  }

  /** The session's channel and its stripes that are open. */
  #open(): TransferChannel[] {
    return [this.#channel, ...this.#stripes].filter((c) => c.isOpen);
  }

  /**
   * Round robin over the open channels, skipping those whose queue is past the high-water mark: every channel gets
   * its share even while none is backed up, so each one's congestion window opens (docs/protocols.md, "Striping").
   */
  #nextWithRoom(): TransferChannel | undefined {
    const open = this.#open();
    for (let tried = 0; tried < open.length; tried++) {
      const channel = open[this.#turn++ % open.length]!;
      if (channel.bufferedAmount <= HIGH_WATER_BYTES) return channel;
    }
    return undefined;
  }

  #control(message: ControlMessage): void {
    if (this.#channel.isOpen) this.#channel.send(encodeControl(message));
  }

  #fail(error: string, tellPeer = false, reason: ReasonCode = 'failed'): void {
    if (this.#finished) return;
    if (tellPeer) this.#control({ type: 'error', message: error.slice(0, 1000) });
    this.#end('failed', error, reason);
  }

  #end(state: SendState, error?: string, reason?: ReasonCode): void {
    if (this.#finished) return;
    this.#update({ state, ...(error !== undefined && { error }), ...(reason && { reason }) });
    this.#changed.fire();
  }

  #update(patch: Partial<SendProgress>): void {
    this.#progress = { ...this.#progress, ...patch };
    this.#onProgress(this.#progress);
  }
}
