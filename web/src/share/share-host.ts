/**
 * The sender's side of one share, in plain TypeScript (no Svelte, no DOM): it joins the share's room, connects
 * to every receiver that comes, authenticates each connection, and runs one transfer per receiver that outlives
 * its connections (docs/architecture.md). The send view's view-model only draws what this reports.
 */
import type { IceServer } from '../../../signal/protocol/index.ts';
import { authenticate, HandshakeError, isRefusal, type Authenticated } from '../net/handshake/handshake.ts';
import { reconnectDelay } from '../net/signaling-client.ts';
import type { RefusalCode } from '../net/handshake/messages.ts';
import type { LinkKeys } from '../net/handshake/link-keys.ts';
import { ShareTries } from '../net/handshake/password-tries.ts';
import { connectLane } from '../net/lane.ts';
import type { ConnectionState, Network, PeerConnection, Signaling, SignalingProblem } from '../net/network.ts';
import type { ShareTarget } from '../net/share-link.ts';
import type { TransferChannel } from '../transfer/channel.ts';
import { chunkSizeFor } from '../transfer/protocol.ts';
import { SendSession, type OutgoingFile, type SendProgress, type SendState } from '../transfer/sender.ts';
import { ShareHashes } from '../transfer/share-hashes.ts';
import { MAX_LANES } from './lanes.ts';
import { CHANNEL_OPEN_TIMEOUT_MS, withTimeout } from './timeouts.ts';

/** One receiver as the send view shows it. */
export interface ReceiverStatus {
  /** Stable across its connections: its lasting id once proven, the signaler's peer id before. */
  key: string;
  connection: ConnectionState;
  progress: SendProgress | undefined;
  verificationCode?: string;
  /** Why it was refused (a refusal code), if it was. */
  refused?: RefusalCode | 'closed' | 'gave-up';
}

export interface ShareHostEvents {
  /** The receivers changed: one was added, refused, or reports progress (once per chunk: draw at your pace). */
  receivers(receivers: readonly ReceiverStatus[], changed: ReceiverStatus): void;
  /** The signaler's state: `waiting` for receivers, or a problem to show. */
  status(status: { waiting: boolean; problem?: SignalingProblem | undefined }): void;
  /** In the room; `peerToken` lets a reload of this page reclaim the host's peer id there. */
  joined?(peerToken: string): void;
}

export interface ShareHostOptions {
  target: ShareTarget;
  /** The link's keys, while they are derived: the room is joined at once, so the link works as soon as it is shown. */
  keys: Promise<LinkKeys>;
  transferId: string;
  files: readonly OutgoingFile[];
  /** A text shared with the files, or instead of them. */
  text?: string | undefined;
  network: Network;
  events: ShareHostEvents;
  /** The chunk hashes of the files, shared with whoever keeps the share; those already known are not computed again. */
  hashes?: ShareHashes;
  /** A share continued after a reload: the peer token it had, and the files it had withdrawn. */
  peerToken?: string | undefined;
  withdrawn?: readonly number[];
}

/** A connection to one signaler peer, before and after it proves itself. */
interface Attempt {
  peerId: string;
  connection: PeerConnection;
  /** The receiver this connection was proven to be, once it is. */
  receiver?: Receiver;
  refused?: boolean;
  /** How many channels this connection opened: a lost one is replaced while the connection lives. */
  channels: number;
  /** A channel is being opened and authenticated: one at a time. */
  opening?: boolean;
  /** The signal channels of the lanes the receiver opened on this connection, open now. */
  lanes: Set<TransferChannel>;
  /** Resolves with the receiver once the connection is proven (when `receiver` is set). */
  proven: Promise<Receiver>;
  /** Resolves `proven`. */
  prove(receiver: Receiver): void;
}

/** One proven receiver and its transfer, which outlives the connections that carry it. */
interface Receiver {
  status: ReceiverStatus;
  session: SendSession;
  attempt: Attempt;
}

/** How many channels one connection may open in turn before the host waits for the receiver to come back. */
const MAX_CHANNELS_PER_CONNECTION = 5;
export class ShareHost {
  readonly #o: ShareHostOptions;
  readonly #hashes: ShareHashes;
  readonly #tries = new ShareTries();
  readonly #attempts = new Map<string, Attempt>();
  /** Proven receivers by their lasting id; refused attempts by peer id, so the view can show them. */
  readonly #receivers = new Map<string, Receiver>();
  readonly #refused = new Map<string, ReceiverStatus>();
  readonly #withdrawn: Set<number>;
  /** Receivers in the room, by peer id: an attempt lost before it was proven is tried again while its peer is here. */
  readonly #present = new Map<string, number>();
  #signaling: Signaling | undefined;
  #ice: { iceServers: IceServer[]; iceTransportPolicy?: RTCIceTransportPolicy | undefined } = { iceServers: [] };
  #hashingAhead = false;
  #stopped = false;
  /** The share's password ('' for none); receivers that connect after it is set must know it. */
  password = '';

  constructor(options: ShareHostOptions) {
    this.#o = options;
    this.#hashes = options.hashes ?? new ShareHashes();
    this.#withdrawn = new Set(options.withdrawn);
  }

  start(): void {
    this.#signaling = this.#o.network.signaling(this.#o.target.room, 'sender', {
      joined: ({ peerToken, peers, iceServers, iceTransportPolicy }) => {
        this.#ice = { iceServers, iceTransportPolicy };
        this.#o.events.joined?.(peerToken);
        this.#o.events.status({ waiting: true });
        for (const peer of peers) if (peer.role === 'receiver') this.#arrived(peer.peerId);
      },
      peerJoined: (peer) => {
        if (peer.role === 'receiver') this.#arrived(peer.peerId);
      },
      peerLeft: (peerId) => this.#peerLeft(peerId),
      signal: (from, data) => void this.#attempts.get(from)?.connection.receive(data),
      problem: (message) => this.#o.events.status({ waiting: false, problem: message }),
    }, this.#o.peerToken);
    this.#signaling.connect();
    this.#hashAhead();
  }

  /** Ends the share: every receiver is told, every connection closed, the room left. */
  stop(): void {
    this.#stopped = true;
    for (const receiver of this.#receivers.values()) receiver.session.cancel();
    for (const attempt of this.#attempts.values()) attempt.connection.close();
    this.#attempts.clear();
    this.#signaling?.close();
  }

  /** Stops sending one file to every receiver, now and later; the other files go on. */
  withdraw(file: number): void {
    this.#withdrawn.add(file);
    for (const { session } of this.#receivers.values()) session.cancel(file);
  }

  get receivers(): ReceiverStatus[] {
    return [...this.#refused.values(), ...[...this.#receivers.values()].map((r) => r.status)];
  }

  #arrived(peerId: string): void {
    if (!this.#present.has(peerId)) this.#present.set(peerId, 0);
    this.#connect(peerId);
  }

  /** An attempt that was not refused but lost (its connection went away before it was proven): try again, later each time. */
  #retry(peerId: string): void {
    const tries = this.#present.get(peerId);
    if (tries === undefined || this.#stopped) return;
    this.#present.set(peerId, tries + 1);
    setTimeout(() => {
      if (this.#present.has(peerId) && !this.#attempts.has(peerId)) this.#connect(peerId);
    }, reconnectDelay(tries));
  }

  #connect(peerId: string): void {
    if (this.#stopped || !this.#signaling) return;
    // Rejoining the room (a reconnect to the signaler) lists receivers this host is already connected to.
    const current = this.#attempts.get(peerId);
    if (current && current.connection.state !== 'failed' && current.connection.state !== 'closed') return;
    current?.connection.close();
    const signaling = this.#signaling;
    let prove: (receiver: Receiver) => void = () => {};
    const proven = new Promise<Receiver>((resolve) => (prove = resolve));
    const attempt: Attempt = {
      peerId,
      channels: 0,
      lanes: new Set(),
      proven,
      prove,
      connection: this.#o.network.connect(
        { ...this.#ice, polite: false, sendSignal: (data) => signaling.signal(peerId, data) },
        {
          // A receiver opens only lanes; a channel of any other kind from it is closed.
          channel: (channel, kind) => (kind === 'lane' ? void this.#laneOpened(attempt, channel) : channel.close()),
          state: (state) => this.#connectionState(attempt, state),
        },
      ),
    };
    this.#attempts.set(peerId, attempt);
    void this.#openChannel(attempt);
  }

  /** Opens a channel on the attempt's connection and authenticates it; a proven one carries the receiver's transfer. */
  async #openChannel(attempt: Attempt): Promise<void> {
    if (attempt.opening || attempt.channels >= MAX_CHANNELS_PER_CONNECTION) return;
    attempt.channels++;
    attempt.opening = true;
    try {
      await this.#openAndProve(attempt);
    } finally {
      attempt.opening = false;
    }
  }

  async #openAndProve(attempt: Attempt): Promise<void> {
    let channel: TransferChannel;
    try {
      channel = await withTimeout(attempt.connection.openChannel(), CHANNEL_OPEN_TIMEOUT_MS);
    } catch {
      // No answer (a receiver that keeps a working connection ignores a new one), or the connection went away:
      // the attempt ends; the receiver's next connection tries again.
      if (this.#attempts.get(attempt.peerId) === attempt && !attempt.receiver) {
        attempt.connection.close();
        this.#attempts.delete(attempt.peerId);
        this.#retry(attempt.peerId);
        this.#hashAhead();
      }
      return;
    }
    if (this.#attempts.get(attempt.peerId) !== attempt || this.#stopped) return channel.close();
    try {
      const proven = await this.#authenticate(attempt, channel);
      if (this.#attempts.get(attempt.peerId) !== attempt || this.#stopped) return channel.close();
      this.#proven(attempt, channel, proven.receiverId ?? attempt.peerId, proven.verificationCode);
    } catch (error) {
      if (this.#attempts.get(attempt.peerId) !== attempt) return;
      // A connection that proved itself once is never refused afterwards: a replacement channel that fails on it
      // failed because the connection, or the page at its far end, is going away (a reload: the sender may open
      // it before it hears so). The receiver's transfer waits for its next channel, on this connection or another.
      if (attempt.receiver) return;
      if (!isRefusal(error)) {
        // Lost under the handshake, not refused: tried again while the peer is in the room.
        attempt.connection.close();
        this.#attempts.delete(attempt.peerId);
        this.#retry(attempt.peerId);
        return;
      }
      // No second try on this connection: it is closed, and the view keeps the attempt to show it.
      attempt.refused = true;
      attempt.connection.close();
      this.#attempts.delete(attempt.peerId);
      this.#present.delete(attempt.peerId);
      const status: ReceiverStatus = { key: attempt.peerId, connection: 'closed', progress: undefined, refused: error instanceof HandshakeError ? error.code : 'protocol' };
      this.#refused.set(attempt.peerId, status);
      this.#changed(status);
      this.#hashAhead();
    }
  }

  /**
   * The handshake on one channel of the attempt's connection (its first, a replacement), or of one of its lanes (a
   * stripe), bound to the DTLS fingerprints of the connection the channel is on.
   */
  async #authenticate(attempt: Attempt, channel: TransferChannel, connection = attempt.connection): Promise<Authenticated> {
    return authenticate(channel, {
      role: 'sender',
      room: this.#o.target.room,
      keys: await this.#o.keys,
      fingerprints: connection.fingerprints(),
      ...(this.password && { password: this.password, tries: this.#tries.of(attempt.peerId) }),
    });
  }

  /**
   * A lane the proven receiver opened on its connection (net/lane.ts; docs/protocols.md, "Striping"): the host
   * connects it and opens one stripe on it, proven by its own handshake, for the receiver's session. The lane
   * goes when its stripe goes (with the session's channel, or when the receiver closes it). At most MAX_LANES
   * per connection at a time; one from a connection that is not proven in time is closed.
   */
  async #laneOpened(attempt: Attempt, signals: TransferChannel): Promise<void> {
    if (this.#stopped || attempt.lanes.size >= MAX_LANES) return signals.close();
    attempt.lanes.add(signals);
    signals.onClose(() => attempt.lanes.delete(signals));
    // The receiver's side of the handshake may end before this side's, and it opens its lanes at once: they wait here.
    const receiver = await withTimeout(attempt.proven, CHANNEL_OPEN_TIMEOUT_MS).catch(() => undefined);
    if (this.#stopped || !receiver || receiver.attempt !== attempt || !signals.isOpen) return signals.close();
    const lane = connectLane(this.#o.network, { ...this.#ice, polite: false, signals }, (channel) => channel.close());
    try {
      const stripe = await withTimeout(lane.openChannel('stripe'), CHANNEL_OPEN_TIMEOUT_MS);
      stripe.onClose(() => signals.close());
      const proven = await this.#authenticate(attempt, stripe, lane);
      if (this.#stopped || receiver.attempt !== attempt || (proven.receiverId ?? attempt.peerId) !== receiver.status.key) throw new Error('the stripe is not for this transfer');
      receiver.session.addStripe(stripe);
    } catch {
      signals.close();
    }
  }

  /**
   * A proven channel: a receiver seen before continues its transfer on it; a new one, or one whose transfer is
   * over (it failed, or it finished and the receiver came back for it), starts one, from what it says it holds.
   */
  #proven(attempt: Attempt, channel: TransferChannel, receiverId: string, verificationCode: string): void {
    const known = this.#receivers.get(receiverId);
    if (known && known.attempt !== attempt) {
      // The receiver came back on a new connection (it reloaded, or the network changed): the old one is done.
      known.attempt.connection.close();
      if (this.#attempts.get(known.attempt.peerId) === known.attempt) this.#attempts.delete(known.attempt.peerId);
    }
    const state = known?.session.progress.state;
    if (known && state !== 'done' && state !== 'failed' && state !== 'cancelled' && state !== 'declined') {
      known.attempt = attempt;
      attempt.receiver = known;
      attempt.prove(known);
      known.status = { ...known.status, verificationCode, connection: attempt.connection.state };
      known.session.attach(channel);
      return;
    }
    const status: ReceiverStatus = { key: receiverId, connection: attempt.connection.state, progress: undefined, verificationCode };
    let receiver: Receiver | undefined;
    const session = new SendSession(
      channel,
      this.#o.files,
      { transferId: this.#o.transferId, chunkSize: chunkSizeFor(attempt.connection.maxMessageSize), hashes: this.#hashes, text: this.#o.text },
      (progress) => receiver && this.#progress(receiver, progress),
    );
    receiver = { status, attempt, session };
    attempt.receiver = receiver;
    attempt.prove(receiver);
    this.#receivers.set(receiverId, receiver);
    session.start();
    for (const file of this.#withdrawn) session.cancel(file);
    // Shown at once, with its code: the receiver may take a while to accept the files offered.
    this.#progress(receiver, session.progress);
  }

  #progress(receiver: Receiver, progress: SendProgress): void {
    receiver.status = { ...receiver.status, progress };
    // A channel lost while its connection lives (or comes back): open another on it.
    if (progress.state === 'reconnecting' && receiver.attempt.connection.state === 'connected') void this.#openChannel(receiver.attempt);
    if (!wantsTheCpu(progress.state)) this.#hashAhead();
    this.#changed(receiver.status);
  }

  #connectionState(attempt: Attempt, state: ConnectionState): void {
    const receiver = attempt.receiver;
    if (!receiver || receiver.attempt !== attempt) return;
    receiver.status = { ...receiver.status, connection: state };
    // ICE came back after a failure (the connection restarts ICE itself); the channel may not have survived it.
    if (state === 'connected' && receiver.session.progress.state === 'reconnecting') void this.#openChannel(attempt);
    this.#changed(receiver.status);
  }

  /**
   * The signaler says a peer left. A proven receiver's transfer waits for it to come back (a reload, a new
   * network): its channel, if still open, says for itself whether it is gone. Attempts not yet proven end.
   */
  #peerLeft(peerId: string): void {
    this.#present.delete(peerId);
    const attempt = this.#attempts.get(peerId);
    // A handshake under way ends by itself, and a refusal must still be listed: a refused peer leaves at once.
    if (!attempt || attempt.receiver || attempt.opening) return;
    attempt.connection.close();
    this.#attempts.delete(peerId);
    this.#hashAhead();
  }

  #changed(status: ReceiverStatus): void {
    this.#o.events.receivers(this.receivers, status);
  }

  /**
   * Hashes the files while nobody is being sent to, typically while the link is being passed on, so that sending
   * then only reads and sends. Gives way as soon as a receiver connects, and goes on once no transfer runs.
   */
  #hashAhead(): void {
    if (this.#hashingAhead || this.#stopped || this.#transferring()) return;
    this.#hashingAhead = true;
    const stopped = (): boolean => this.#stopped || this.#transferring();
    void this.#hashes
      .hashAhead(this.#o.files, chunkSizeFor(undefined), stopped, (file) => this.#withdrawn.has(file))
      // An unreadable file is reported by the transfer that reads it; hashing ahead just stops.
      .catch(() => undefined)
      .finally(() => (this.#hashingAhead = false));
  }

  /** Whether a receiver is being connected to or sent to: hashing ahead gives way to it. */
  #transferring(): boolean {
    return [...this.#attempts.values()].some((a) => !a.refused && (!a.receiver || wantsTheCpu(a.receiver.session.progress.state)));
  }
}

/** A session starting or sending: the sender's core is the channel's then. */
const wantsTheCpu = (state: SendState): boolean => state === 'connecting' || state === 'sending';
