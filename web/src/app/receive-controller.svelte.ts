import { HandshakeError } from '../net/handshake/handshake.ts';
import { deriveLinkKeys } from '../net/handshake/link-keys.ts';
import { browserNetwork } from '../net/browser-network.ts';
import { randomId, type ShareTarget } from '../net/share-link.ts';
import { ReceiveClient, type LinkState } from '../share/receive-client.ts';
import { openChunkStore } from '../storage/open-chunk-store.ts';
import type { ReceiverStore, Rejoin } from '../storage/stored-transfers.ts';
import type { FileEntry } from '../transfer/protocol.ts';
import { RateMeter } from '../transfer/rate-meter.ts';
import type { FileState, ReceiveProgress } from '../transfer/receiver.ts';
import { RedrawGate } from './redraw-gate.ts';
import { m, type Text } from '../i18n/messages.ts';
import { reasonText, signalingProblemText } from './problem-text.ts';
import type { SavedFile } from './save-all.ts';
import { askToNotify, notifyFinished } from './finished-notice.ts';

export interface IncomingFileView {
  entry: FileEntry;
  state: FileState;
  bytes: number;
  bytesPerSecond: number;
  secondsLeft: number | undefined;
  /** Why it failed, in the current language. */
  error: Text | undefined;
  /** The finished file is assembled, so Save can hand it over within the click (see readyBlob). */
  saveable: boolean;
}

/**
 * `paused`: out of storage; retry() continues once space is freed. `password`: the share asks for one.
 * `reconnecting`: the connection to the sender is lost; the transfer goes on by itself when it is back.
 */
type Phase = 'connecting' | 'waiting-for-sender' | 'password' | 'consent' | 'receiving' | 'reconnecting' | 'paused' | 'done' | 'declined' | 'problem';

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

/** The receive view's state: a thin view-model over the receive client (share/receive-client.ts), which does the work. */
export class ReceiveController {
  phase = $state<Phase>('connecting');
  message = $state<Text>(m.status_connecting);
  files = $state<IncomingFileView[]>([]);
  overall = $state<OverallProgress>({ bytes: 0, totalBytes: 0, bytesPerSecond: 0, secondsLeft: undefined });
  /** The code both screens show once the sender is proven. */
  verificationCode = $state<string | undefined>(undefined);
  passwordQuestion = $state<PasswordQuestion | undefined>(undefined);
  /** Stripes carrying data beside the transfer's channel (docs/protocols.md, "Striping"); shown as data-stripes. */
  stripes = $state(0);
  /** The files the sender offers, while the person is asked to accept or decline them (phase `consent`). */
  offer = $state<{ files: FileEntry[]; text: boolean } | undefined>(undefined);
  /** The text the sender shares, once the person accepted and it arrived: shown as text, never opened. */
  text = $state<string | undefined>(undefined);

  #client: ReceiveClient | undefined;
  #meters: RateMeter[] = [];
  #overallMeter = new RateMeter();
  #redraw = new RedrawGate();
  /** Finished files, assembled (by reference, not read) as soon as they verify. */
  #blobs = new Map<number, Promise<Blob>>();
  #readyBlobs = new Map<number, Blob>();
  #shownState: ReceiveProgress['state'] | undefined;
  #dataShown = false;
  #store: Promise<ReceiverStore> | undefined;
  #answerPassword: ((password: string) => void) | undefined;

  constructor(
    private readonly target: ShareTarget,
    /** Opens the store of the transfer kept under `key`: derived from the link, never taken from the peer. */
    private readonly openStore: (key: string) => Promise<ReceiverStore> = openChunkStore,
  ) {}

  start(): void {
    // Signaling connects at once; the keys (WebCrypto's first use can take a while) and storage are ready meanwhile.
    const keys = deriveLinkKeys(this.target.room, this.target.secret);
    this.#store = keys.then((k) => this.openStore(k.storageKey));
    // What an earlier page kept: a link whose record exists rejoins as the same receiver, with its password.
    const rejoin = this.#store.then((store) => store.rejoin()).catch((): Rejoin => ({}));
    this.#client = new ReceiveClient({
      target: this.target,
      keys,
      receiverId: Promise.all([keys, rejoin]).then(([k, kept]) => lastingReceiverId(k.storageKey, kept.receiverId)),
      store: this.#store,
      keptPassword: rejoin.then((kept) => kept.password),
      network: browserNetwork(location),
      askPassword: (wrong) => this.#askPassword(wrong),
      events: {
        link: (state) => this.#linkState(state),
        proven: (code) => {
          this.verificationCode = code;
          requestPersistentStorage();
        },
        refused: (error) => {
          this.passwordQuestion = undefined;
          this.#setPhase('problem', refusalMessage(error, this.target));
        },
        stripes: (count) => (this.stripes = count),
        asked: (manifest, text) => {
          this.offer = { files: manifest.files, text: text !== undefined };
          this.#setPhase('consent', m.status_nothing_stored_yet);
        },
        progress: (progress) => this.#show(progress),
        problem: (problem, fatal) => {
          if (fatal || !['done', 'receiving', 'consent', 'declined'].includes(this.phase)) this.#setPhase('problem', signalingProblemText(problem));
        },
      },
    });
    this.#client.start();
  }

  stop(): void {
    this.#client?.stop();
  }

  /** Answers the password question (the share's password, as the person typed it). */
  submitPassword(password: string): void {
    const answer = this.#answerPassword;
    this.#answerPassword = undefined;
    this.passwordQuestion = undefined;
    this.#setPhase('connecting', m.status_checking_password);
    answer?.(password);
  }

  /** Takes the offered files: they are received and stored from now on. */
  accept(): void {
    // The moment the person decides to wait for these files: a notice can tell them, in another app, when they are in.
    askToNotify();
    this.offer = undefined;
    this.#setPhase('receiving', m.status_receiving);
    this.#client?.accept();
  }

  /** Refuses the offered files: the sender is told, nothing is stored. */
  decline(): void {
    this.offer = undefined;
    this.#client?.decline();
  }

  /** Continues a transfer paused for lack of storage, from what is stored. */
  retry(): void {
    if (this.phase === 'paused') void this.#client?.session?.retry();
  }

  /** Stops one file, or the whole transfer when no file is given: then what was stored of its unverified files is deleted. */
  cancel(file?: number): void {
    void this.#client?.cancel(file);
  }

  /**
   * The finished file if it is assembled already (its row is `saveable`). Saving must start within the click
   * that asks for it: browsers refuse downloads and pickers that come after an await once the click's user
   * activation has lapsed, so Save is offered only once this is there and never awaits.
   */
  readyBlob(file: number): Blob | undefined {
    return this.#readyBlobs.get(file);
  }

  /** Every finished file that is assembled (see readyBlob), with its path: what Save all saves. */
  readyFiles(): SavedFile[] {
    return this.files.flatMap((row, i) => {
      const blob = this.#readyBlobs.get(i);
      return blob ? [{ path: row.entry.path, blob, lastModified: row.entry.lastModified }] : [];
    });
  }

  #askPassword(wrong: { triesLeft: number } | undefined): Promise<string> {
    this.passwordQuestion = { wrong };
    this.#setPhase('password', wrong ? m.status_wrong_password : m.status_has_password);
    return new Promise((resolve) => (this.#answerPassword = resolve));
  }

  /** The connection to the sender changed; the transfer's own state, once there is one, says more. */
  #linkState(state: LinkState): void {
    if (['problem', 'done', 'paused', 'password', 'consent', 'declined'].includes(this.phase)) return;
    const transferring = this.files.length > 0;
    switch (state) {
      case 'connecting':
        if (!transferring) this.#setPhase('connecting', m.status_connecting_sender);
        break;
      case 'waiting-for-sender':
        // Also a link whose room is missing (SignalingClient's ROOM_WAIT_MS): it may be expired, or its sender on the way back.
        this.#setPhase(transferring ? 'reconnecting' : 'waiting-for-sender', transferring ? m.status_sender_left : m.status_waiting_for_sender);
        break;
      case 'reconnecting':
        this.#setPhase('reconnecting', m.status_reconnecting_sender);
        break;
      case 'connected':
        this.#setPhase('receiving', m.status_receiving);
    }
  }

  /**
   * Called for every change the session reports (once per chunk): only the
   * overall state and the first data are drawn at once, the rest at the gate's pace, so a folder of
   * thousands of small files does not redraw every row once per file.
   */
  #show(progress: ReceiveProgress): void {
    if (progress.state === 'declined') {
      this.offer = undefined;
      this.#setPhase('declined', m.status_declined);
      return;
    }
    if (!progress.manifest) {
      // Ended before any file was listed (a broken manifest, storage that would not open): say why.
      if (progress.state === 'failed') this.#setPhase('problem', endedText(progress));
      return;
    }
    // The first chunk is drawn at once too: data starting to flow is the moment a person is waiting for.
    const firstData = !this.#dataShown && progress.files.some((f) => f.state !== 'waiting');
    if (firstData) this.#dataShown = true;
    this.#redraw.request(firstData || progress.state !== this.#shownState, () => this.#draw(progress));
  }

  #draw(progress: ReceiveProgress): void {
    const manifest = progress.manifest!;
    this.text = progress.text;
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
        error: file.error === undefined ? undefined : reasonText(file.reason),
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
      case 'done': {
        const verified = this.files.every((f) => f.state === 'complete');
        // Told once, as it finishes here: a finished transfer opened again is not news.
        if (verified && this.files.length > 0 && (this.phase === 'receiving' || this.phase === 'reconnecting')) void notifyFinished(m.notice_files_received(), m.status_all_verified());
        this.#setPhase('done', this.files.length === 0 ? m.status_text_arrived : verified ? m.status_all_verified : m.status_finished_with_problems);
        break;
      }
      case 'paused':
        // Out of space: the browser may grant more to storage it is told to keep.
        requestPersistentStorage();
        this.#setPhase('paused', progress.reason === 'storage-full' ? m.reason_storage_full : m.status_paused);
        break;
      case 'failed':
      case 'cancelled':
        this.#setPhase('problem', endedText(progress));
        break;
      case 'reconnecting':
        if (this.phase !== 'reconnecting') this.#setPhase('reconnecting', m.status_reconnecting_sender);
        break;
      default:
        this.#setPhase('receiving', m.status_receiving);
    }
  }

  #setPhase(phase: Phase, message: Text): void {
    this.phase = phase;
    this.message = message;
  }
}

/** What the receive view says when the handshake refused the connection (codes in docs/protocols.md). */
function refusalMessage(error: unknown, target: ShareTarget): Text {
  const code = error instanceof HandshakeError ? error.code : 'protocol';
  switch (code) {
    case 'proof':
      return target.secret === '' ? m.refused_link_missing_key : m.refused_proof;
    case 'locked':
      return m.refused_locked;
    case 'version':
      return m.refused_version;
    case 'gave-up':
      return m.refused_gave_up;
    default:
      return m.refused_other;
  }
}

/** What the receive view says of a transfer that failed or was cancelled, by its reason's code. */
function endedText({ state, reason }: ReceiveProgress): Text {
  if (reason === 'transfer-busy') return m.reason_transfer_busy;
  if (state === 'cancelled') return m.status_cancelled;
  if (reason === undefined || reason === 'failed') return m.status_failed;
  const why = reasonText(reason);
  return () => m.status_failed_because({ reason: why() });
}

/**
 * This tab's lasting id as the receiver of the transfer kept under `storageKey`: the sender continues the same
 * transfer for it on any new connection, and after a reload of this tab. Per tab (sessionStorage), not per
 * browser: a second tab opening the same link is another receiver, told that the first holds the transfer,
 * rather than one that takes the first one's connection over. A browser restart loses sessionStorage: then the
 * id kept with the stored transfer (`kept`, given only while no other tab holds it) carries on.
 */
function lastingReceiverId(storageKey: string, kept: string | undefined): string {
  const name = `dropline-receiver:${storageKey}`;
  try {
    const known = sessionStorage.getItem(name);
    if (known) return known;
    const id = kept ?? randomId();
    sessionStorage.setItem(name, id);
    return id;
  } catch {
    return kept ?? randomId(); // No sessionStorage (a private window): this page's id only.
  }
}

/** Asks the browser not to evict what arrives; browsers decide on their own, so the answer is only a hint. */
function requestPersistentStorage(): void {
  void navigator.storage?.persist?.().catch(() => false);
}
