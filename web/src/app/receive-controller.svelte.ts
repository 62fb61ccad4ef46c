import type { IceServer } from '../../../signal/protocol/index.ts';
import { connectionFingerprints } from '../net/handshake/fingerprint.ts';
import { authenticate, HandshakeError } from '../net/handshake/handshake.ts';
import { deriveLinkKeys, type LinkKeys } from '../net/handshake/link-keys.ts';
import { PeerLink } from '../net/peer-link.ts';
import type { ShareTarget } from '../net/share-link.ts';
import { SignalingClient, signalingUrl } from '../net/signaling-client.ts';
import { wrapDataChannel, type TransferChannel } from '../transfer/channel.ts';
import type { ChunkStore } from '../transfer/chunk-store.ts';
import { RedrawGate } from './redraw-gate.ts';
import { RateMeter } from '../transfer/rate-meter.ts';
import { ReceiveSession, type FileState, type ReceiveProgress } from '../transfer/receiver.ts';
import type { FileEntry } from '../transfer/protocol.ts';

export interface IncomingFileView {
  entry: FileEntry;
  state: FileState;
  bytes: number;
  bytesPerSecond: number;
  secondsLeft: number | undefined;
  error: string | undefined;
  /** The finished file is assembled, so Save can hand it over within the click (see readyBlob). */
  saveable: boolean;
}

/** `paused`: out of storage; retry() continues once space is freed. `password`: the share asks for one. */
type Phase = 'connecting' | 'waiting-for-sender' | 'password' | 'receiving' | 'paused' | 'done' | 'problem';

/** The password question, while the share's password is asked for: after a wrong one, with the tries left. */
export interface PasswordQuestion {
  wrong: { triesLeft: number } | undefined;
}

export interface OverallProgress {
  bytes: number;
  totalBytes: number;
  bytesPerSecond: number;
  secondsLeft: number | undefined;
}

/** The receiver's side: join the link's room, take the sender's connection, and store what arrives. */
export class ReceiveController {
  phase = $state<Phase>('connecting');
  message = $state('Connecting…');
  files = $state<IncomingFileView[]>([]);
  overall = $state<OverallProgress>({ bytes: 0, totalBytes: 0, bytesPerSecond: 0, secondsLeft: undefined });
  /** The code both screens show once the sender is proven. */
  verificationCode = $state<string | undefined>(undefined);
  passwordQuestion = $state<PasswordQuestion | undefined>(undefined);

  #signaling: SignalingClient | undefined;
  #iceServers: IceServer[] = [];
  #iceTransportPolicy: RTCIceTransportPolicy | undefined;
  #link: { peerId: string; link: PeerLink } | undefined;
  #session: ReceiveSession | undefined;
  #meters: RateMeter[] = [];
  #overallMeter = new RateMeter();
  #redraw = new RedrawGate();
  /** Finished files, assembled (by reference, not read) as soon as they verify. */
  #blobs = new Map<number, Promise<Blob>>();
  #readyBlobs = new Map<number, Blob>();
  #shownState: ReceiveProgress['state'] | undefined;
  #dataShown = false;
  #store: Promise<ChunkStore> | undefined;
  #keys: Promise<LinkKeys> | undefined;
  #answerPassword: ((password: string) => void) | undefined;
  #stopped = false;

  constructor(
    private readonly target: ShareTarget,
    /** Opens the store of the transfer kept under `key`: derived from the link, never taken from the peer. */
    private readonly openStore: (key: string) => Promise<ChunkStore>,
  ) {}

  start(): void {
    // Keys and storage are ready while signaling connects; a channel that opens first keeps its messages.
    this.#keys = deriveLinkKeys(this.target.room, this.target.secret);
    this.#store = this.#keys.then((keys) => this.openStore(keys.storageKey));
    this.#signaling = new SignalingClient(signalingUrl(location), this.target.room, 'receiver', {
      joined: ({ peers, iceServers, iceTransportPolicy }) => {
        this.#iceServers = iceServers;
        this.#iceTransportPolicy = iceTransportPolicy;
        const senderHere = peers.some((p) => p.role === 'sender');
        this.#setPhase(senderHere ? 'connecting' : 'waiting-for-sender', senderHere ? 'Connecting to the sender…' : 'Waiting for the sender to come back…');
      },
      peerJoined: (peer) => {
        if (peer.role === 'sender') this.#setPhase('connecting', 'Connecting to the sender…');
      },
      peerLeft: (peerId) => {
        if (this.#link?.peerId !== peerId) return;
        this.#link.link.close();
        this.#link = undefined;
        // Closing the connection does not close its channel with an event: tell the session ourselves.
        if (this.phase === 'receiving') this.#session?.interrupt('the sender left');
        else if (this.phase !== 'done' && this.phase !== 'problem') {
          this.#setPhase('waiting-for-sender', 'The sender left. What arrived is kept; waiting for them to come back…');
        }
      },
      signal: (from, data) => void this.#linkTo(from).receive(data),
      problem: (message, fatal) => {
        if (fatal || this.phase !== 'done') this.#setPhase('problem', message);
      },
    });
    this.#signaling.connect();
  }

  stop(): void {
    this.#stopped = true;
    void this.#session?.cancel();
    this.#link?.link.close();
    this.#signaling?.close();
  }

  /** Answers the password question (the share's password, as the person typed it). */
  submitPassword(password: string): void {
    const answer = this.#answerPassword;
    this.#answerPassword = undefined;
    this.passwordQuestion = undefined;
    this.#setPhase('connecting', 'Checking the password…');
    answer?.(password);
  }

  /** Continues a transfer paused for lack of storage, from what is stored. */
  retry(): void {
    if (this.phase === 'paused') void this.#session?.retry();
  }

  /** Stops one file, or the whole transfer when no file is given. */
  cancel(file?: number): void {
    void this.#session?.cancel(file);
  }

  /**
   * The finished file if it is assembled already (its row is `saveable`). Saving must start within the click
   * that asks for it: browsers refuse downloads and pickers that come after an await once the click's user
   * activation has lapsed, so Save is offered only once this is there and never awaits.
   */
  readyBlob(file: number): Blob | undefined {
    return this.#readyBlobs.get(file);
  }

  #linkTo(peerId: string): PeerLink {
    if (this.#link?.peerId === peerId) return this.#link.link;
    this.#link?.link.close();
    const signaling = this.#signaling!;
    const link = new PeerLink({
      iceServers: this.#iceServers,
      iceTransportPolicy: this.#iceTransportPolicy,
      polite: true,
      sendSignal: (data) => signaling.signal(peerId, data),
      onChannel: (channel) => this.#receiveOn(channel, link),
      onStateChange: (state) => {
        if (state === 'failed' && this.phase !== 'done') this.#setPhase('problem', 'Could not reach the sender directly; retrying…');
      },
    });
    this.#link = { peerId, link };
    return link;
  }

  #receiveOn(channel: RTCDataChannel, link: PeerLink): void {
    const transferChannel = wrapDataChannel(channel);
    const opened =
      channel.readyState === 'open' ? Promise.resolve() : new Promise<void>((resolve) => channel.addEventListener('open', () => resolve(), { once: true }));
    void opened.then(() => this.#authenticateThenReceive(transferChannel, link));
  }

  /**
   * Proves the sender holds the link (and knows the password, if the share has one) before anything is
   * received or stored (docs/security.md). A sender that cannot is refused: the connection closes and the
   * page says why; it is not tried again.
   */
  async #authenticateThenReceive(channel: TransferChannel, link: PeerLink): Promise<void> {
    let verificationCode: string;
    try {
      ({ verificationCode } = await authenticate(channel, {
        role: 'receiver',
        room: this.target.room,
        keys: await this.#keys!,
        fingerprints: connectionFingerprints(link.pc),
        askPassword: (wrong) => this.#askPassword(wrong),
      }));
    } catch (error) {
      if (this.#stopped || this.#link?.link !== link) return;
      this.#refused(error);
      return;
    }
    const store = await this.#store!;
    if (this.#stopped || this.#link?.link !== link) return;
    this.verificationCode = verificationCode;
    this.#setPhase('receiving', 'Receiving…');
    requestPersistentStorage();
    this.#session = new ReceiveSession(channel, store, (progress) => this.#show(progress));
  }

  #askPassword(wrong: { triesLeft: number } | undefined): Promise<string> {
    this.passwordQuestion = { wrong };
    this.#setPhase('password', wrong ? 'Wrong password.' : 'This share has a password.');
    return new Promise((resolve) => (this.#answerPassword = resolve));
  }

  /** The handshake failed: nothing was received; the person is told why, and the page stops trying. */
  #refused(error: unknown): void {
    this.#link?.link.close();
    this.#link = undefined;
    this.#signaling?.close();
    this.passwordQuestion = undefined;
    this.#setPhase('problem', refusalMessage(error, this.target));
  }

  /**
   * Called for every change the session reports (once per chunk): only the
   * overall state and the first data are drawn at once, the rest at the gate's pace, so a folder of
   * thousands of small files does not redraw every row once per file.
   */
  #show(progress: ReceiveProgress): void {
    if (!progress.manifest) {
      // Ended before any file was listed (a broken manifest, storage that would not open): say why.
      if (progress.state === 'failed') this.#setPhase('problem', progress.error ?? 'The transfer failed.');
      return;
    }
    // The first chunk is drawn at once too: data starting to flow is the moment a person is waiting for.
    const firstData = !this.#dataShown && progress.files.some((f) => f.state !== 'waiting');
    if (firstData) this.#dataShown = true;
    this.#redraw.request(firstData || progress.state !== this.#shownState, () => this.#draw(progress));
  }

  #draw(progress: ReceiveProgress): void {
    const manifest = progress.manifest!;
    progress.files.forEach((file, i) => {
      if (file.state !== 'complete' || this.#blobs.has(i)) return;
      const blob = this.#store!.then((store) => store.blob(i));
      this.#blobs.set(i, blob);
      void blob.then(
        (b) => {
          this.#readyBlobs.set(i, b);
          const row = this.files[i];
          if (row) row.saveable = true;
        },
        // Tried again at the next draw.
        () => this.#blobs.delete(i),
      );
    });
    this.#shownState = progress.state;
    if (this.#meters.length !== manifest.files.length) this.#meters = manifest.files.map(() => new RateMeter());
    this.files = progress.files.map((file, i) => {
      const entry = manifest.files[i]!;
      const meter = this.#meters[i]!;
      const active = file.state === 'receiving';
      const bytesPerSecond = active ? meter.sample(file.bytes) : 0;
      return {
        entry,
        state: file.state,
        bytes: file.bytes,
        bytesPerSecond,
        secondsLeft: active ? meter.secondsLeft(entry.size - file.bytes) : undefined,
        error: file.error,
        saveable: this.#readyBlobs.has(i),
      };
    });
    const bytes = progress.files.reduce((n, f) => n + f.bytes, 0);
    const totalBytes = manifest.files.reduce((n, f) => n + f.size, 0);
    const receiving = progress.state === 'receiving';
    this.overall = {
      bytes,
      totalBytes,
      bytesPerSecond: receiving ? this.#overallMeter.sample(bytes) : 0,
      secondsLeft: receiving ? this.#overallMeter.secondsLeft(totalBytes - bytes) : undefined,
    };
    switch (progress.state) {
      case 'done':
        this.#setPhase('done', this.files.every((f) => f.state === 'complete') ? 'All files arrived and were verified.' : 'Finished, with problems.');
        break;
      case 'paused':
        // Out of space: the browser may grant more to storage it is told to keep.
        requestPersistentStorage();
        this.#setPhase('paused', progress.error ?? 'Paused.');
        break;
      case 'failed':
      case 'cancelled':
        this.#setPhase('problem', progress.error ?? `Transfer ${progress.state}.`);
        break;
      default:
        this.#setPhase('receiving', 'Receiving…');
    }
  }

  #setPhase(phase: Phase, message: string): void {
    this.phase = phase;
    this.message = message;
  }
}

/** What the receive view says when the handshake refused the connection (codes in docs/protocols.md). */
function refusalMessage(error: unknown, target: ShareTarget): string {
  const code = error instanceof HandshakeError ? error.code : 'protocol';
  switch (code) {
    case 'proof':
      return target.secret === ''
        ? 'This link is incomplete: the part after #k= is missing, so the sender cannot be proven and nothing was received. Ask for the whole link.'
        : 'This link is incomplete, or someone tampered with the connection: the sender could not be proven, so nothing was received. Ask for the link again.';
    case 'locked':
      return 'Too many wrong passwords: the sender refuses this device. Ask the sender for the password and a new link.';
    case 'version':
      return "The sender's page runs another version of Dropline. Reload both pages, then open the link again.";
    case 'gave-up':
      return 'No password was given, so nothing was received.';
    default:
      return 'The connection to the sender failed before it was secured. Reload this page to try again.';
  }
}

/** Asks the browser not to evict what arrives; browsers decide on their own, so the answer is only a hint. */
function requestPersistentStorage(): void {
  void navigator.storage?.persist?.().catch(() => false);
}
