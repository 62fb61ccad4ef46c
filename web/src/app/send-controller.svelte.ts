import { deriveLinkKeys } from '../net/handshake/link-keys.ts';
import type { RefusalCode } from '../net/handshake/messages.ts';
import { browserNetwork } from '../net/browser-network.ts';
import { randomId, shareUrl, type ShareTarget } from '../net/share-link.ts';
import { KeptShare } from '../share/kept-share.ts';
import { pickContinues, reopenShare, type ReopenProblem } from '../share/reopen-share.ts';
import { ShareHost, type ReceiverStatus } from '../share/share-host.ts';
import type { ShareRecord } from '../storage/database.ts';
import { ShareRecords } from '../storage/share-records.ts';
import { MAX_TEXT_BYTES, textProblem } from '../transfer/protocol.ts';
import { RateMeter } from '../transfer/rate-meter.ts';
import type { OutgoingFile, SendProgress } from '../transfer/sender.ts';
import { fromFileHandles, fromFileList, type PickedFile } from './picked-files.ts';
import { sharedArrivalId } from '../share/shared-arrival.ts';
import { sharedTextOf, takeShared } from '../storage/shared-inbox.ts';
import { ShareHashes } from '../transfer/share-hashes.ts';
import { RedrawGate } from './redraw-gate.ts';
import { askToNotify, notifyFinished } from './finished-notice.ts';
import { reconnecting, sendingToAny } from './sending.ts';
import { m, type Text } from '../i18n/messages.ts';
import { reasonText, signalingProblemText } from './problem-text.ts';

export interface ReceiverView {
  key: string;
  progress: SendProgress | undefined;
  bytesPerSecond: number;
  secondsLeft: number | undefined;
  /** The code both screens show once this receiver is proven. */
  verificationCode?: string | undefined;
  /** Why this receiver was refused, in words. */
  refused?: Text | undefined;
  /** Why its transfer paused, failed or was cancelled, in words. */
  reason?: Text | undefined;
  /** Its connection is down and being restored; the transfer waits, nothing is lost. */
  reconnecting: boolean;
}

/** Per receiver: its speed meter and redraw pace, which last as long as the share. */
interface Drawing {
  meter: RateMeter;
  redraw: RedrawGate;
  /** The state it last reported, so that finishing is told once, as it happens. */
  state: SendProgress['state'] | undefined;
}

/** The send view's state: a thin view-model over the share host (share/share-host.ts), which does the work. */
export class SendController {
  files = $state<OutgoingFile[]>([]);
  /** The text this share sends, if any. */
  sharedText = $state<string | undefined>(undefined);
  link = $state<string | undefined>(undefined);
  status = $state<Text>(() => '');
  problem = $state<Text | undefined>(undefined);
  receivers = $state<ReceiverView[]>([]);
  /** Bytes are going to at least one receiver now (the view keeps the screen on meanwhile). */
  sending = $state(false);
  /** Files the sender took back: current receivers are told, later ones are told as they connect. */
  withdrawn = $state<ReadonlySet<number>>(new Set());
  /** Shares this browser kept open from an earlier page: picking the same files again continues one. */
  unfinished = $state<ShareRecord[]>([]);
  /** Why the files just picked cannot continue an unfinished share, in words. */
  pickProblem = $state<Text | undefined>(undefined);
  /** Why files shared to the app from the system share sheet were not shared, in words. */
  arrivalProblem = $state<Text | undefined>(undefined);
  /** Picked files are being checked against an unfinished share. */
  checking = $state(false);
  #password = $state('');
  /** The pick pickProblem is about, and the share it could not continue: shareInstead() ends that share for it. */
  #refusedPick: { files: OutgoingFile[]; record: ShareRecord } | undefined;
  #host: ShareHost | undefined;
  #kept: KeptShare | undefined;
  readonly #records = ShareRecords.available ? new ShareRecords() : undefined;
  readonly #drawing = new Map<string, Drawing>();

  constructor() {
    void this.#records?.all().then(
      (records) => (this.unfinished = records),
      () => undefined, // nothing kept can be read: every share starts afresh
    );
    const shared = sharedArrivalId(location.search);
    if (shared) void this.#shareArrived(shared);
    // The installed app opened with files from the file manager (the manifest's file_handlers): share them as if picked.
    window.launchQueue?.setConsumer(({ files }) => void this.#filesLaunched(files));
  }

  async #filesLaunched(handles: readonly FileSystemHandle[]): Promise<void> {
    if (handles.length === 0) return;
    const files = await fromFileHandles(handles).catch(() => []);
    if (files.length === 0) this.arrivalProblem = m.launch_unreadable;
    else await this.share(files);
  }

  /**
   * Files the system share sheet gave the installed app (docs/architecture.md, "Share target"): taken from the
   * service worker's inbox and shared as if picked. The address loses its id first, so a reload shares nothing twice.
   */
  async #shareArrived(id: string): Promise<void> {
    history.replaceState(history.state, '', '/');
    const items = await takeShared(id).catch(() => undefined);
    if (!items) {
      this.arrivalProblem = m.arrival_missing;
      return;
    }
    // A title, text and link from the share sheet become the share's text, beside the files or alone.
    this.text = sharedTextOf(items);
    if (items.files.length > 0) await this.share(fromFileList(items.files));
    else if (this.text !== '') this.shareText();
    else this.arrivalProblem = m.arrival_empty;
  }

  /** The share's password ('' for none): receivers that connect from now on must know it as well as the link. */
  get password(): string {
    return this.#password;
  }

  set password(password: string) {
    this.#password = password;
    if (this.#host) this.#host.password = password;
    this.#kept?.update({ password });
  }

  /** A text to share with the files picked next, or on its own (shareText()). */
  text = $state('');
  /** Why `text` cannot be shared (too long), or undefined. */
  readonly #textProblem = $derived(textProblem(this.text));
  /** The same in words, or undefined. */
  get textProblem(): Text | undefined {
    const problem = this.#textProblem;
    return problem && (() => m.text_too_long({ size: problem.kib, max: MAX_TEXT_BYTES / 1024 }));
  }

  /** Shares the text on its own, with no files. */
  shareText(): void {
    if (this.text.trim() === '' || this.textProblem || this.checking) return;
    this.#start([]);
  }

  /**
   * Shares picked files, with the text if one was typed: as a new share, or, when they are an unfinished share's
   * files, continuing that share (its own text, if it had one, goes on).
   */
  async share(files: PickedFile[]): Promise<void> {
    if (files.length === 0 || this.checking) return;
    this.pickProblem = undefined;
    this.#refusedPick = undefined;
    const unfinished = this.unfinished.find((record) => pickContinues(record, files));
    if (unfinished) return this.#continue(unfinished, files);
    // The text's own field says why it is too long; the pick waits until it is fixed.
    if (this.textProblem) return;
    this.#start(files);
  }

  #start(files: PickedFile[]): void {
    const now = Date.now();
    const text = this.text.trim() === '' ? undefined : this.text;
    // Each share its own transfer id: a second share from this tab is a new transfer to its receivers.
    const record: ShareRecord = {
      room: randomId(),
      secret: randomId(),
      transferId: randomId(),
      password: this.#password,
      files: files.map((f) => f.entry),
      hashes: [],
      ...(files.some((f) => f.handle) && { handles: files.map((f) => f.handle) }),
      withdrawn: [],
      ...(text !== undefined && { text }),
      createdAt: now,
      updatedAt: now,
    };
    this.#run(record, files, new ShareHashes());
  }

  /** Whether an unfinished share can go on with one click: the browser gave handles to every file it still sends. */
  canContinue(record: ShareRecord): boolean {
    return record.files.every((_, index) => record.withdrawn.includes(index) || record.handles?.[index]);
  }

  /** Continues an unfinished share from its kept handles, once the browser lets the page read them again (one click). */
  async continueShare(record: ShareRecord): Promise<void> {
    if (this.checking) return;
    this.pickProblem = undefined;
    this.#refusedPick = undefined;
    const files: OutgoingFile[] = [];
    try {
      for (const [index, entry] of record.files.entries()) {
        const handle = record.handles?.[index];
        if (record.withdrawn.includes(index) || !handle) continue;
        // Asked within the click: the browser may ask the person once more, and remembers the answer.
        if ((await handle.requestPermission?.({ mode: 'read' })) === 'denied') {
          this.pickProblem = () => m.read_permission_denied({ path: entry.path });
          return;
        }
        files.push({ entry, blob: await handle.getFile() });
      }
    } catch {
      this.pickProblem = m.reread_failed;
      return;
    }
    await this.#continue(record, files);
  }

  async #continue(unfinished: ShareRecord, files: OutgoingFile[]): Promise<void> {
    this.checking = true;
    try {
      const reopened = await reopenShare(unfinished, files);
      if (!reopened.ok) {
        this.pickProblem = reopenProblem(reopened.problem);
        this.#refusedPick = { files, record: unfinished };
        return;
      }
      this.unfinished = this.unfinished.filter((record) => record !== unfinished);
      this.#password = unfinished.password;
      this.withdrawn = new Set(unfinished.withdrawn);
      this.#run(unfinished, reopened.files, reopened.hashes);
    } catch {
      this.pickProblem = m.read_failed;
    } finally {
      this.checking = false;
    }
  }

  /** The files just refused are meant as a new share: the unfinished share they were taken for ends. */
  shareInstead(): void {
    const refused = this.#refusedPick;
    if (!refused) return;
    this.forget(refused.record);
    void this.share(refused.files);
  }

  /** Ends a share kept from an earlier page without continuing it: its link stops working. */
  forget(record: ShareRecord): void {
    this.unfinished = this.unfinished.filter((r) => r !== record);
    this.pickProblem = undefined;
    this.#refusedPick = undefined;
    void this.#records?.delete(record.room).catch(() => undefined);
  }

  #run(record: ShareRecord, files: OutgoingFile[], hashes: ShareHashes): void {
    this.files = files;
    this.sharedText = record.text;
    const target: ShareTarget = { room: record.room, secret: record.secret };
    this.link = shareUrl(location.origin, target);
    this.status = m.status_connecting_server;
    // The link is what the person waits with: a notice can tell them, in another app, when a receiver has it all.
    askToNotify();
    if (this.#records) {
      this.#kept = new KeptShare(this.#records, record, hashes);
      this.#kept.start();
    }
    this.#host = new ShareHost({
      target,
      keys: deriveLinkKeys(target.room, target.secret),
      transferId: record.transferId,
      files,
      text: record.text,
      hashes,
      peerToken: record.peerToken,
      withdrawn: record.withdrawn,
      network: browserNetwork(location),
      events: {
        joined: (peerToken) => this.#kept?.update({ peerToken }),
        receivers: (all, changed) => this.#draw(all, changed),
        status: ({ waiting, problem }) => {
          this.problem = problem && signalingProblemText(problem);
          if (waiting && this.receivers.length === 0) this.status = m.status_waiting_for_receiver;
        },
      },
    });
    this.#host.password = this.#password;
    this.#host.start();
  }

  /** Ends the share: every receiver is told, the room is left, and nothing of it is kept. */
  stop(): void {
    this.#host?.stop();
    this.#host = undefined;
    void this.#kept?.end();
    this.#kept = undefined;
    this.#drawing.clear();
    this.files = [];
    this.sharedText = undefined;
    this.text = '';
    this.link = undefined;
    this.receivers = [];
    this.sending = false;
    this.withdrawn = new Set();
    this.status = () => '';
    this.problem = undefined;
    this.password = '';
  }

  /** Stops sending one file to every receiver, now and later; the other files go on. */
  cancelFile(file: number): void {
    this.withdrawn = new Set([...this.withdrawn, file]);
    this.#host?.withdraw(file);
    this.#kept?.update({ withdrawn: [...this.withdrawn] });
  }

  /**
   * Draws the receivers: a new, refused or changed-state receiver at once, progress at the redraw gate's pace
   * (once per chunk would cost the core the transfer runs on).
   */
  #draw(all: readonly ReceiverStatus[], changed: ReceiverStatus): void {
    let drawing = this.#drawing.get(changed.key);
    if (!drawing) {
      drawing = { meter: new RateMeter(), redraw: new RedrawGate(), state: undefined };
      this.#drawing.set(changed.key, drawing);
    }
    // Not paced like the rows: the screen lock should follow the transfers as they start and stop.
    this.sending = this.#host !== undefined && sendingToAny(all);
    const state = changed.progress?.state;
    // Finishing is what was seen sending (or waiting mid-way): a receiver already served before a reload is not news.
    if (state === 'done' && (drawing.state === 'sending' || drawing.state === 'reconnecting')) void notifyFinished(m.notice_files_delivered(), m.notice_receiver_got_all());
    drawing.state = state;
    const shown = this.receivers.find((r) => r.key === changed.key);
    const urgent =
      !shown || shown.progress?.state !== changed.progress?.state || shown.verificationCode !== changed.verificationCode || shown.reconnecting !== reconnecting(changed);
    const bytesPerSecond = changed.progress ? drawing.meter.sample(changed.progress.deliveredBytes) : 0;
    drawing.redraw.request(urgent, () => {
      if (!this.#host) return;
      this.status = m.status_sending;
      this.receivers = all.map((status) => {
        const { meter } = this.#drawing.get(status.key) ?? { meter: undefined };
        const progress = status.progress;
        const active = progress?.state === 'sending';
        return {
          key: status.key,
          progress,
          bytesPerSecond: status.key === changed.key ? bytesPerSecond : (this.receivers.find((r) => r.key === status.key)?.bytesPerSecond ?? 0),
          secondsLeft: active && meter && progress ? meter.secondsLeft(progress.totalBytes - progress.deliveredBytes) : undefined,
          verificationCode: status.verificationCode,
          refused: status.refused && refusalReason(status.refused),
          reason: progress?.reason !== undefined || progress?.error !== undefined ? reasonText(progress.reason) : undefined,
          reconnecting: reconnecting(status),
        };
      });
    });
  }
}

/** Why picked files cannot continue an unfinished share (share/reopen-share.ts), in words. */
function reopenProblem({ code, paths }: ReopenProblem): Text {
  const names = paths.map((path) => `“${path}”`).join(', ');
  const why = { size: m.reopen_reason_size, modified: m.reopen_reason_modified, contents: m.reopen_reason_contents }[code];
  return () => m.reopen_mismatch({ count: paths.length, names, reason: why() });
}

/** What the sender's row says of a receiver the handshake refused (codes in docs/protocols.md). */
function refusalReason(code: RefusalCode | 'closed' | 'gave-up'): Text {
  switch (code) {
    case 'proof':
    case 'gave-up':
      return m.refusal_proof;
    case 'locked':
      return m.refusal_locked;
    case 'version':
      return m.refusal_version;
    default:
      return m.refusal_other;
  }
}
