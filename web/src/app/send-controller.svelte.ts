import type { IceServer } from '../../../signal/protocol/index.ts';
import { connectionFingerprints } from '../net/handshake/fingerprint.ts';
import { authenticate, HandshakeError } from '../net/handshake/handshake.ts';
import { deriveLinkKeys, type LinkKeys } from '../net/handshake/link-keys.ts';
import { ShareTries } from '../net/handshake/password-tries.ts';
import { PeerLink } from '../net/peer-link.ts';
import { randomId, shareUrl, type ShareTarget } from '../net/share-link.ts';
import { SignalingClient, signalingUrl } from '../net/signaling-client.ts';
import { wrapDataChannel } from '../transfer/channel.ts';
import { chunkSizeFor } from '../transfer/protocol.ts';
import { RedrawGate } from './redraw-gate.ts';
import { RateMeter } from '../transfer/rate-meter.ts';
import { SendSession, type OutgoingFile, type SendProgress, type SendState } from '../transfer/sender.ts';
import { ShareHashes } from '../transfer/share-hashes.ts';

export interface ReceiverView {
  peerId: string;
  connection: RTCPeerConnectionState;
  progress: SendProgress | undefined;
  bytesPerSecond: number;
  secondsLeft: number | undefined;
  /** The code both screens show once this receiver is proven. */
  verificationCode?: string;
  /** Why this receiver was refused: it could not prove it holds the link (or the password). */
  refused?: string;
}

interface LinkEntry {
  link: PeerLink;
  /** Refused by the handshake: it gets nothing, and no second try on this connection. */
  refused?: boolean;
  session?: SendSession;
  meter: RateMeter;
  redraw: RedrawGate;
}

/** The sender's side of a share: one room, one link, one connection and session per receiver. */
export class SendController {
  files = $state<OutgoingFile[]>([]);
  link = $state<string | undefined>(undefined);
  status = $state('');
  problem = $state<string | undefined>(undefined);
  receivers = $state<ReceiverView[]>([]);
  /** Files the sender took back: current receivers are told, later ones are told as they connect. */
  withdrawn = $state<ReadonlySet<number>>(new Set());
  /** The share's password ('' for none): receivers that connect from now on must know it as well as the link. */
  password = $state('');

  #signaling: SignalingClient | undefined;
  #iceServers: IceServer[] = [];
  #iceTransportPolicy: RTCIceTransportPolicy | undefined;
  readonly #links = new Map<string, LinkEntry>();
  #share: { target: ShareTarget; transferId: string; keys: Promise<LinkKeys>; tries: ShareTries } | undefined;
  #hashes = new ShareHashes();
  /** The files being hashed ahead, if that is under way: a new share starts its own even while the last one winds down. */
  #hashingAhead: readonly OutgoingFile[] | undefined;

  share(files: OutgoingFile[]): void {
    if (files.length === 0) return;
    this.files = files;
    const target: ShareTarget = { room: randomId(), secret: randomId() };
    // Each share its own transfer id: a second share from this tab is a new transfer to its receivers.
    this.#share = { target, transferId: randomId(), keys: deriveLinkKeys(target.room, target.secret), tries: new ShareTries() };
    this.link = shareUrl(location.origin, target);
    this.status = 'Connecting to the server…';
    this.#signaling = new SignalingClient(signalingUrl(location), target.room, 'sender', {
      joined: ({ peers, iceServers, iceTransportPolicy }) => {
        this.#iceServers = iceServers;
        this.#iceTransportPolicy = iceTransportPolicy;
        this.problem = undefined;
        this.status = 'Waiting for someone to open the link…';
        for (const peer of peers) if (peer.role === 'receiver') this.#connect(peer.peerId);
      },
      peerJoined: (peer) => {
        if (peer.role === 'receiver') this.#connect(peer.peerId);
      },
      peerLeft: (peerId) => this.#drop(peerId, 'the receiver left before every file arrived'),
      signal: (from, data) => void this.#links.get(from)?.link.receive(data),
      problem: (message) => {
        this.problem = message;
      },
    });
    this.#signaling.connect();
    this.#hashAhead();
  }

  /**
   * Hashes the files while nobody is being sent to, typically while the link is
   * being passed on, so that sending then only reads and sends. Gives way as soon
   * as a receiver connects, and goes on once no transfer runs.
   */
  #hashAhead(): void {
    const files = this.files;
    if (this.#hashingAhead === files || files.length === 0 || this.#transferring()) return;
    this.#hashingAhead = files;
    const stopped = (): boolean => this.files !== files || this.#transferring();
    void this.#hashes
      .hashAhead(files, chunkSizeFor(undefined), stopped, (file) => this.withdrawn.has(file))
      // An unreadable file is reported by the transfer that reads it; hashing ahead just stops.
      .catch(() => undefined)
      .finally(() => {
        if (this.#hashingAhead === files) this.#hashingAhead = undefined;
      });
  }

  /** Whether a receiver is being connected to or sent to: hashing ahead gives way to it. */
  #transferring(): boolean {
    return [...this.#links.values()].some(({ session, refused }) => !refused && (!session || wantsTheCpu(session.progress.state)));
  }

  /** Ends the share: every receiver is told and the room is left. */
  stop(): void {
    for (const peerId of [...this.#links.keys()]) {
      this.#links.get(peerId)?.session?.cancel();
      this.#drop(peerId);
    }
    this.#signaling?.close();
    this.#signaling = undefined;
    this.files = [];
    this.link = undefined;
    this.receivers = [];
    this.withdrawn = new Set();
    this.status = '';
    this.problem = undefined;
    this.password = '';
    this.#share = undefined;
    this.#hashes = new ShareHashes();
  }

  #connect(peerId: string): void {
    this.#drop(peerId);
    const signaling = this.#signaling;
    if (!signaling) return;
    const link = new PeerLink({
      iceServers: this.#iceServers,
      iceTransportPolicy: this.#iceTransportPolicy,
      polite: false,
      sendSignal: (data) => signaling.signal(peerId, data),
      onChannel: () => {},
      onStateChange: (connection) => this.#patch(peerId, { connection }),
    });
    const entry: LinkEntry = { link, meter: new RateMeter(), redraw: new RedrawGate() };
    this.#links.set(peerId, entry);
    this.receivers = [...this.receivers, { peerId, connection: 'new', progress: undefined, bytesPerSecond: 0, secondsLeft: undefined }];
    const channel = link.openChannel('dropline');
    channel.addEventListener('open', () => void this.#authenticateThenSend(peerId, entry, channel));
    this.status = 'Sending…';
  }

  /**
   * Proves the receiver holds the link (and the password, if the share has one) before anything about the
   * files crosses the channel (docs/security.md); a receiver that cannot is refused and its row says so.
   */
  async #authenticateThenSend(peerId: string, entry: LinkEntry, channel: RTCDataChannel): Promise<void> {
    const share = this.#share;
    if (!share) return;
    const transferChannel = wrapDataChannel(channel);
    let verificationCode: string;
    try {
      ({ verificationCode } = await authenticate(transferChannel, {
        role: 'sender',
        room: share.target.room,
        keys: await share.keys,
        fingerprints: connectionFingerprints(entry.link.pc),
        ...(this.password && { password: this.password, tries: share.tries.of(peerId) }),
      }));
    } catch (error) {
      if (this.#links.get(peerId) !== entry) return;
      // No second try on this connection: it is closed, and the row stays to show the attempt.
      entry.refused = true;
      entry.link.close();
      this.#patch(peerId, { refused: refusalReason(error), connection: 'closed' });
      this.#hashAhead();
      return;
    }
    if (this.#links.get(peerId) !== entry || this.#share !== share) return;
    this.#patch(peerId, { verificationCode });
    const session = new SendSession(
      transferChannel,
      this.files,
      { transferId: share.transferId, chunkSize: chunkSizeFor(entry.link.pc.sctp?.maxMessageSize), hashes: this.#hashes },
      (progress) => {
        // A dropped receiver's session may still report; its row already says how it ended.
        if (this.#links.get(peerId) !== entry) return;
        const bytesPerSecond = entry.meter.sample(progress.deliveredBytes);
        const stateChanged = progress.state !== this.receivers.find((r) => r.peerId === peerId)?.progress?.state;
        if (!wantsTheCpu(progress.state)) this.#hashAhead();
        entry.redraw.request(stateChanged, () => {
          // Drawn up to one interval later: by then the receiver may have been dropped and its row settled.
          if (this.#links.get(peerId) !== entry) return;
          this.#patch(peerId, {
            progress,
            bytesPerSecond,
            secondsLeft: entry.meter.secondsLeft(progress.totalBytes - progress.deliveredBytes),
          });
        });
      },
    );
    entry.session = session;
    session.start();
    for (const file of this.withdrawn) session.cancel(file);
  }

  /**
   * Closes the connection to a receiver. A receiver that leaves mid-transfer
   * keeps its row, marked failed with `reason`, so the sender sees what happened.
   */
  #drop(peerId: string, reason?: string): void {
    const entry = this.#links.get(peerId);
    if (!entry) return;
    this.#links.delete(peerId);
    entry.link.close();
    const shown = this.receivers.find((r) => r.peerId === peerId);
    if (reason && shown?.progress && shown.progress.state !== 'done' && shown.progress.state !== 'cancelled') {
      this.#patch(peerId, { progress: { ...shown.progress, state: 'failed', error: reason }, bytesPerSecond: 0, secondsLeft: undefined });
    } else {
      this.receivers = this.receivers.filter((r) => r.peerId !== peerId || r.progress?.state === 'done' || r.refused);
    }
    this.#hashAhead();
  }

  /** Stops sending one file to every receiver, now and later; the other files go on. */
  cancelFile(file: number): void {
    this.withdrawn = new Set([...this.withdrawn, file]);
    for (const { session } of this.#links.values()) session?.cancel(file);
  }

  #patch(peerId: string, patch: Partial<ReceiverView>): void {
    this.receivers = this.receivers.map((r) => (r.peerId === peerId ? { ...r, ...patch } : r));
  }
}

/** What the sender's row says of a receiver the handshake refused (codes in docs/protocols.md). */
function refusalReason(error: unknown): string {
  const code = error instanceof HandshakeError ? error.code : 'protocol';
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

/** A session starting or sending: the sender's core is the channel's then. */
const wantsTheCpu = (state: SendState): boolean => state === 'connecting' || state === 'sending';
