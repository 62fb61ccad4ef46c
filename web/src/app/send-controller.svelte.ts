import { deriveLinkKeys } from '../net/handshake/link-keys.ts';
import type { RefusalCode } from '../net/handshake/messages.ts';
import { browserNetwork } from '../net/browser-network.ts';
import { randomId, shareUrl, type ShareTarget } from '../net/share-link.ts';
import { ShareHost, type ReceiverStatus } from '../share/share-host.ts';
import { RateMeter } from '../transfer/rate-meter.ts';
import type { OutgoingFile, SendProgress } from '../transfer/sender.ts';
import { RedrawGate } from './redraw-gate.ts';

export interface ReceiverView {
  key: string;
  progress: SendProgress | undefined;
  bytesPerSecond: number;
  secondsLeft: number | undefined;
  /** The code both screens show once this receiver is proven. */
  verificationCode?: string | undefined;
  /** Why this receiver was refused, in words. */
  refused?: string | undefined;
  /** Its connection is down and being restored; the transfer waits, nothing is lost. */
  reconnecting: boolean;
}

/** A transfer waits while its connection is down, whatever its session last said. */
const reconnecting = (status: ReceiverStatus): boolean =>
  status.progress?.state === 'reconnecting' || (status.progress?.state === 'sending' && (status.connection === 'disconnected' || status.connection === 'failed'));

/** Per receiver: its speed meter and redraw pace, which last as long as the share. */
interface Drawing {
  meter: RateMeter;
  redraw: RedrawGate;
}

/** The send view's state: a thin view-model over the share host (share/share-host.ts), which does the work. */
export class SendController {
  files = $state<OutgoingFile[]>([]);
  link = $state<string | undefined>(undefined);
  status = $state('');
  problem = $state<string | undefined>(undefined);
  receivers = $state<ReceiverView[]>([]);
  /** Files the sender took back: current receivers are told, later ones are told as they connect. */
  withdrawn = $state<ReadonlySet<number>>(new Set());
  #password = $state('');
  #host: ShareHost | undefined;
  readonly #drawing = new Map<string, Drawing>();

  /** The share's password ('' for none): receivers that connect from now on must know it as well as the link. */
  get password(): string {
    return this.#password;
  }

  set password(password: string) {
    this.#password = password;
    if (this.#host) this.#host.password = password;
  }

  share(files: OutgoingFile[]): void {
    if (files.length === 0) return;
    this.files = files;
    const target: ShareTarget = { room: randomId(), secret: randomId() };
    this.link = shareUrl(location.origin, target);
    this.status = 'Connecting to the server…';
    // Each share its own transfer id: a second share from this tab is a new transfer to its receivers.
    const transferId = randomId();
    this.#host = new ShareHost({
      target,
      keys: deriveLinkKeys(target.room, target.secret),
      transferId,
      files,
      network: browserNetwork(location),
      events: {
        receivers: (all, changed) => this.#draw(all, changed),
        status: ({ waiting, problem }) => {
          this.problem = problem;
          if (waiting && this.receivers.length === 0) this.status = 'Waiting for someone to open the link…';
        },
      },
    });
    this.#host.password = this.#password;
    this.#host.start();
  }

  /** Ends the share: every receiver is told and the room is left. */
  stop(): void {
    this.#host?.stop();
    this.#host = undefined;
    this.#drawing.clear();
    this.files = [];
    this.link = undefined;
    this.receivers = [];
    this.withdrawn = new Set();
    this.status = '';
    this.problem = undefined;
    this.password = '';
  }

  /** Stops sending one file to every receiver, now and later; the other files go on. */
  cancelFile(file: number): void {
    this.withdrawn = new Set([...this.withdrawn, file]);
    this.#host?.withdraw(file);
  }

  /**
   * Draws the receivers: a new, refused or changed-state receiver at once, progress at the redraw gate's pace
   * (once per chunk would cost the core the transfer runs on).
   */
  #draw(all: readonly ReceiverStatus[], changed: ReceiverStatus): void {
    let drawing = this.#drawing.get(changed.key);
    if (!drawing) {
      drawing = { meter: new RateMeter(), redraw: new RedrawGate() };
      this.#drawing.set(changed.key, drawing);
    }
    const shown = this.receivers.find((r) => r.key === changed.key);
    const urgent =
      !shown || shown.progress?.state !== changed.progress?.state || shown.verificationCode !== changed.verificationCode || shown.reconnecting !== reconnecting(changed);
    const bytesPerSecond = changed.progress ? drawing.meter.sample(changed.progress.deliveredBytes) : 0;
    drawing.redraw.request(urgent, () => {
      if (!this.#host) return;
      this.status = 'Sending…';
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
          reconnecting: reconnecting(status),
        };
      });
    });
  }
}

/** What the sender's row says of a receiver the handshake refused (codes in docs/protocols.md). */
function refusalReason(code: RefusalCode | 'closed' | 'gave-up'): string {
  switch (code) {
    case 'proof':
    case 'gave-up':
      return 'it could not prove it has the whole link (or the password): nothing was sent';
    case 'locked':
      return 'too many wrong passwords: nothing was sent';
    case 'version':
      return 'it runs another version of Dropline';
    default:
      return 'the connection failed before it was secured';
  }
}
