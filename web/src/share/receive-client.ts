/**
 * The receiver's side of a share link, in plain TypeScript (no Svelte, no DOM): it joins the link's room, takes
 * the sender's connection, authenticates every channel, and keeps one transfer that outlives its channels and
 * connections (docs/architecture.md). The receive view's view-model only draws what this reports.
 */
import type { IceServer, SignalData } from '../../../signal/protocol/index.ts';
import { authenticate, isRefusal, type Authenticated } from '../net/handshake/handshake.ts';
import type { LinkKeys } from '../net/handshake/link-keys.ts';
import { connectLane } from '../net/lane.ts';
import type { ChannelKind, ConnectionState, Network, PeerConnection, Signaling, SignalingProblem } from '../net/network.ts';
import type { ShareTarget } from '../net/share-link.ts';
import type { ReceiverStore } from '../storage/stored-transfers.ts';
import type { TransferChannel } from '../transfer/channel.ts';
import type { Manifest } from '../transfer/protocol.ts';
import { ReceiveSession, type ReceiveProgress } from '../transfer/receiver.ts';
import { lanesFor } from './lanes.ts';
import { CHANNEL_OPEN_TIMEOUT_MS, withTimeout } from './timeouts.ts';

/** Where the connection to the sender stands, for the status line; the transfer's own progress comes apart. */
export type LinkState = 'connecting' | 'waiting-for-sender' | 'reconnecting' | 'connected';

export interface ReceiveClientEvents {
  link(state: LinkState): void;
  /** The sender proved itself on a channel: the code both screens show. */
  proven(verificationCode: string): void;
  /** The handshake failed; nothing was received, and the client stopped trying. */
  refused(error: unknown): void;
  /** How many stripes carry the transfer's data beside its channel now (docs/protocols.md, "Striping"). */
  stripes?(count: number): void;
  /**
   * The proven sender offers these files and nothing is stored yet: answer with accept() or decline(). Not asked
   * for a transfer whose record is stored (accepted on an earlier page): a reload or a resume goes straight on.
   */
  asked(manifest: Manifest, text: string | undefined): void;
  /** The transfer's progress (once per chunk: draw at your pace). */
  progress(progress: ReceiveProgress): void;
  /** A refusal from the signaler or a lost connection to it (`fatal` when reconnecting cannot help). */
  problem(problem: SignalingProblem, fatal: boolean): void;
}

export interface ReceiveClientOptions {
  target: ShareTarget;
  /** The link's keys, while they are derived: the room is joined at once, the keys are needed only by the handshake. */
  keys: Promise<LinkKeys>;
  /** This receiver's lasting id for the transfer: the sender continues the same transfer for it on any channel. */
  receiverId: Promise<string>;
  /** Where the transfer is kept; the client records in it how to rejoin, once the sender is proven. */
  store: Promise<ReceiverStore>;
  network: Network;
  /** The share's password as kept with the stored transfer, tried before the person is asked. */
  keptPassword?: Promise<string | undefined>;
  /** Asks the person for the share's password (see HandshakeOptions.askPassword). */
  askPassword(wrong: { triesLeft: number } | undefined): Promise<string>;
  events: ReceiveClientEvents;
}

/** The connection to the sender: the signaler's peer id it came through, and its current channel. */
interface SenderLink {
  peerId: string;
  connection: PeerConnection;
  channel?: TransferChannel;
}

/** The receiver's side of a channel by what it is for: the label the sender opened it with says. */
type ChannelHandler = (link: SenderLink, channel: TransferChannel) => Promise<void>;

export class ReceiveClient {
  readonly #o: ReceiveClientOptions;
  #signaling: Signaling | undefined;
  #ice: { iceServers: IceServer[]; iceTransportPolicy?: RTCIceTransportPolicy | undefined } = { iceServers: [] };
  #link: SenderLink | undefined;
  /**
   * A connection from the sender under a new peer id, taken while #link still works (the signaler restarted and
   * the sender rejoined under a new id): it replaces #link only once its channel proves the sender
   * (docs/architecture.md, "Channel life cycle"), and is dropped, #link untouched, if it does not.
   */
  #next: SenderLink | undefined;
  #session: ReceiveSession | undefined;
  #stopped = false;
  /** A password known to work (kept with the transfer, or proven on an earlier channel): tried first, so neither a reload nor a new channel asks the person again. */
  #knownPassword: Promise<string | undefined>;
  /** The password the current handshake answered with, if it asked for one. */
  #answeredPassword: string | undefined;
  /** Stripes open now, on the current link or its lanes. */
  #stripes = new Set<TransferChannel>();
  /** The signal channels of the current link's lanes (net/lane.ts): closing one closes its lane. */
  #lanes = new Set<TransferChannel>();
  readonly #handlers: Record<ChannelKind, ChannelHandler> = {
    transfer: (link, channel) => this.#authenticateThenReceive(link, channel),
    stripe: (link, channel) => this.#authenticateStripe(link, channel),
    // Only the receiver opens lanes.
    lane: async (_link, channel) => channel.close(),
  };
  /** Resolves the question asked(), while it is open. */
  #answer: ((accepted: boolean) => void) | undefined;

  constructor(options: ReceiveClientOptions) {
    this.#o = options;
    this.#knownPassword = options.keptPassword ?? Promise.resolve(undefined);
  }

  get session(): ReceiveSession | undefined {
    return this.#session;
  }

  start(): void {
    const { events } = this.#o;
    this.#signaling = this.#o.network.signaling(this.#o.target.room, 'receiver', {
      joined: ({ peers, iceServers, iceTransportPolicy }) => {
        this.#ice = { iceServers, iceTransportPolicy };
        if (this.#healthy()) return;
        events.link(peers.some((p) => p.role === 'sender') ? 'connecting' : 'waiting-for-sender');
      },
      peerJoined: (peer) => {
        if (peer.role === 'sender' && !this.#healthy()) events.link('connecting');
      },
      peerLeft: (peerId) => this.#senderLeft(peerId),
      signal: (from, data) => void this.#connectionTo(from, data)?.receive(data).catch(() => undefined),
      problem: (problem, fatal) => events.problem(problem, fatal),
      roomMissing: () => {
        if (!this.#healthy()) events.link('waiting-for-sender');
      },
    });
    this.#signaling.connect();
  }

  /**
   * Stops one file, or the whole transfer. Cancelling the whole transfer deletes what was stored of the files not
   * yet verified, so it is not listed as paused; files already verified stay the person's, in the library, and
   * with none of those the record goes too (docs/architecture.md, "Stored records").
   */
  async cancel(file?: number): Promise<void> {
    await this.#session?.cancel(file);
    if (file !== undefined) return;
    const store = await this.#o.store;
    const files = this.#session?.progress.files ?? [];
    if (!files.some((f) => f.state === 'complete')) return store.forget();
    await Promise.all(files.map((f, i) => (f.state === 'complete' ? undefined : store.discard(i))));
  }

  /** Takes the files offered (see ReceiveClientEvents.asked): the transfer is stored from now on. */
  accept(): void {
    this.#answerOffer(true);
  }

  /** Refuses the files offered: the sender is told, and nothing is stored. */
  decline(): void {
    this.#answerOffer(false);
  }

  #answerOffer(accepted: boolean): void {
    const answer = this.#answer;
    this.#answer = undefined;
    answer?.(accepted);
  }

  /** Asked by the transfer with the sender's first manifest, before anything is written (docs/security.md). */
  async #consent(manifest: Manifest, text: string | undefined): Promise<boolean> {
    if (await (await this.#o.store).accepted()) return true;
    if (this.#stopped) return false;
    const answer = new Promise<boolean>((resolve) => (this.#answer = resolve));
    this.#o.events.asked(manifest, text);
    return answer;
  }

  stop(): void {
    this.#stopped = true;
    this.#answerOffer(false);
    void this.#session?.cancel();
    this.#closeLanes();
    this.#link?.connection.close();
    this.#next?.connection.close();
    this.#signaling?.close();
  }

  /** A working connection with an open channel: it carries on untouched whatever the signaler says. */
  #healthy(): boolean {
    return !!this.#link?.channel?.isOpen && this.#link.connection.state === 'connected';
  }

  /**
   * The connection for `data` from `peerId`. A sender that comes back under a new peer id (the signaler
   * restarted) gets a new connection; while the current one still works, the new one is taken beside it (#next)
   * and replaces it only once proven, so neither an offer the signaler forwards nor a sender's move interrupts a
   * working transfer. Left unanswered, the sender's offer would time out and be retried forever. A sender that
   * comes back under its own peer id (it reloaded and reclaimed it) offers from a new connection: that replaces
   * the current one, whose far end is gone even if this end has not noticed yet.
   */
  #connectionTo(peerId: string, data: SignalData): PeerConnection | undefined {
    if (this.#stopped) return undefined;
    const current = this.#link;
    if (current?.peerId === peerId && !current.connection.startsAnew(data)) return current.connection;
    const next = this.#next;
    if (next?.peerId === peerId && !next.connection.startsAnew(data)) return next.connection;
    if (current?.peerId !== peerId && this.#healthy()) {
      next?.connection.close();
      this.#next = this.#newLink(peerId);
      return this.#next.connection;
    }
    if (current) {
      current.connection.close();
      // Closing the connection does not close its channel with an event: tell the transfer ourselves.
      this.#session?.interrupt('the sender reconnected');
    }
    // A connection taken beside one that worked then is superseded by this one: it must not replace it later.
    next?.connection.close();
    this.#next = undefined;
    this.#link = this.#newLink(peerId);
    return this.#link.connection;
  }

  #newLink(peerId: string): SenderLink {
    const signaling = this.#signaling!;
    const link: SenderLink = {
      peerId,
      connection: this.#o.network.connect(
        { ...this.#ice, polite: true, sendSignal: (data) => signaling.signal(peerId, data) },
        {
          channel: (channel, kind) => void this.#handlers[kind](link, channel),
          state: (state) => this.#connectionState(link, state),
        },
      ),
    };
    return link;
  }

  /**
   * A channel of #next proved the sender: its connection becomes the link. Returns the link it replaces, to be
   * closed once the transfer moved, however well it still works: the sender moves the transfer too (it keeps one
   * connection per receiver), and the old connection's signaling path, peer ids the restarted signaler no
   * longer knows, could never carry an ICE restart.
   */
  #promote(link: SenderLink): SenderLink | undefined {
    if (this.#next !== link) return undefined;
    this.#next = undefined;
    const replaced = this.#link;
    this.#link = link;
    return replaced;
  }

  /**
   * Proves the sender holds the link (and knows the password, if the share has one) before anything is received
   * or stored (docs/security.md). A sender that cannot is refused: the connection closes, the client stops.
   */
  async #authenticateThenReceive(link: SenderLink, channel: TransferChannel): Promise<void> {
    let proven: Authenticated;
    try {
      proven = await this.#authenticate(link, channel);
    } catch (error) {
      if (this.#stopped) return;
      if (this.#next === link) {
        // Whatever failed on the new connection, the working one carries on untouched: a refusal here proves
        // only that whoever offered it is not the sender (docs/security.md), not that the transfer must stop.
        link.connection.close();
        this.#next = undefined;
        return;
      }
      if (this.#link !== link) return;
      link.connection.close();
      this.#link = undefined;
      if (!isRefusal(error)) {
        // The connection went away under the handshake: the sender's next connection tries again.
        this.#o.events.link(this.#session ? 'reconnecting' : 'connecting');
        return;
      }
      this.#signaling?.close();
      this.#o.events.refused(error);
      return;
    }
    const [store, receiverId] = await Promise.all([this.#o.store, this.#o.receiverId]);
    const replaced = this.#promote(link);
    if (this.#stopped || this.#link !== link) {
      replaced?.connection.close();
      return channel.close();
    }
    const password = this.#answeredPassword;
    this.#answeredPassword = undefined;
    if (password !== undefined) this.#knownPassword = Promise.resolve(password);
    // Recorded only now: a link whose sender never proved itself is not worth rejoining. Kept in memory until the
    // person accepts: the store writes it with the transfer's record (ReceiverStore.keep).
    const { room, secret } = this.#o.target;
    void store.keep({ room, secret, receiverId, verificationCode: proven.verificationCode, ...(password !== undefined && { password }) });
    link.channel = channel;
    this.#o.events.proven(proven.verificationCode);
    this.#o.events.link('connected');
    if (this.#session) this.#session.attach(channel);
    else this.#session = new ReceiveSession(channel, store, (progress) => this.#progressed(progress), (manifest, text) => this.#consent(manifest, text));
    // The lanes of the channel this one replaces carried that channel's stripes: this one gets its own.
    this.#closeLanes();
    if (replaced) {
      for (const stripe of this.#stripes) stripe.close();
      replaced.connection.close();
    }
    void this.#openLanes(link, channel);
  }

  #progressed(progress: ReceiveProgress): void {
    this.#o.events.progress(progress);
    // Nothing more comes over lanes once the transfer is over; a transfer that goes on later opens new ones.
    if (progress.state === 'done' || progress.state === 'failed' || progress.state === 'cancelled' || progress.state === 'declined') this.#closeLanes();
  }

  /**
   * Lanes for the transfer on `channel`: more connections to the sender, as many as the link's measured round trip
   * calls for (lanesFor), each carrying one stripe (docs/protocols.md, "Striping"). The receiver asks for them
   * rather than the sender because of pages of earlier releases: a sender of one ignores a channel it does not
   * know, a receiver of one would take it for a transfer's channel. A lane whose stripe is not proven in time (an
   * earlier sender never answers) is closed, and the transfer goes on over what it has.
   */
  async #openLanes(link: SenderLink, channel: TransferChannel): Promise<void> {
    const lanes = lanesFor(await link.connection.roundTripMs().catch(() => undefined));
    const current = (): boolean => !this.#stopped && this.#link === link && link.channel === channel && channel.isOpen;
    for (let opened = 0; opened < lanes && current(); opened++) {
      void withTimeout(link.connection.openChannel('lane'), CHANNEL_OPEN_TIMEOUT_MS).then(
        (signals) => (current() ? this.#connectLane(link, signals) : signals.close()),
        () => undefined,
      );
    }
  }

  #connectLane(link: SenderLink, signals: TransferChannel): void {
    this.#lanes.add(signals);
    let striped = false;
    const unanswered = setTimeout(() => striped || signals.close(), CHANNEL_OPEN_TIMEOUT_MS);
    signals.onClose(() => {
      this.#lanes.delete(signals);
      clearTimeout(unanswered);
    });
    // One stripe per lane, from the sender; anything else is closed.
    const lane = connectLane(this.#o.network, { ...this.#ice, polite: true, signals }, (stripe, kind) => {
      if (kind !== 'stripe' || striped) return stripe.close();
      striped = true;
      stripe.onClose(() => signals.close());
      void this.#authenticateStripe(link, stripe, lane);
    });
  }

  #closeLanes(): void {
    for (const signals of this.#lanes) signals.close();
    this.#lanes.clear();
  }

  /**
   * The handshake on one channel of the link's connection (its first, a replacement), or of one of its lanes (a
   * stripe), bound to the DTLS fingerprints of the connection the channel is on.
   */
  async #authenticate(link: SenderLink, channel: TransferChannel, connection = link.connection): Promise<Authenticated> {
    return authenticate(channel, {
      role: 'receiver',
      room: this.#o.target.room,
      keys: await this.#o.keys,
      fingerprints: connection.fingerprints(),
      receiverId: await this.#o.receiverId,
      askPassword: (wrong) => this.#password(wrong),
    });
  }

  /**
   * A stripe the sender opened on a lane of the link (or, a sender of an earlier release, beside the transfer's
   * channel on the link itself): proven like it, then its data frames join the session. One that fails its
   * handshake is closed and nothing else changes: the transfer goes on without it.
   */
  async #authenticateStripe(link: SenderLink, stripe: TransferChannel, connection = link.connection): Promise<void> {
    try {
      await this.#authenticate(link, stripe, connection);
    } catch {
      stripe.close();
      return;
    }
    if (this.#stopped || this.#link !== link || !this.#session || !link.channel?.isOpen) return stripe.close();
    this.#session.addStripe(stripe);
    this.#stripes.add(stripe);
    this.#o.events.stripes?.(this.#stripes.size);
    stripe.onClose(() => {
      if (this.#stripes.delete(stripe)) this.#o.events.stripes?.(this.#stripes.size);
    });
  }

  /** Answers the handshake's password question: with the known password first, then, once it was wrong, the person's. */
  async #password(wrong: { triesLeft: number } | undefined): Promise<string> {
    if (wrong) this.#knownPassword = Promise.resolve(undefined);
    const answer = (await this.#knownPassword) ?? (await this.#o.askPassword(wrong));
    this.#answeredPassword = answer;
    return answer;
  }

  #connectionState(link: SenderLink, state: ConnectionState): void {
    if (this.#link !== link) return;
    if (state === 'disconnected' || state === 'failed') this.#o.events.link('reconnecting');
    else if (state === 'connected' && link.channel?.isOpen) this.#o.events.link('connected');
    else if (state === 'closed') this.#session?.interrupt('the connection closed');
  }

  /** The signaler says the sender left: unless its connection still works, wait for it to come back. */
  #senderLeft(peerId: string): void {
    if (this.#next?.peerId === peerId) {
      this.#next.connection.close();
      this.#next = undefined;
    }
    if (this.#link?.peerId !== peerId || this.#healthy()) return;
    this.#link.connection.close();
    this.#link = undefined;
    // Closing the connection does not close its channel with an event: tell the transfer ourselves.
    this.#session?.interrupt('the sender left');
    this.#o.events.link('waiting-for-sender');
  }
}
