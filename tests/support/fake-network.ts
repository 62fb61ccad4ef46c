import type { PeerInfo, Role, SignalData } from '../../signal/protocol/index.ts';
import type { ChannelKind, ConnectionState, Network, PeerConnection, PeerConnectionEvents, PeerConnectionOptions, Signaling, SignalingEvents } from '../../web/src/net/network.ts';
import type { TransferChannel } from '../../web/src/transfer/channel.ts';
import { fakeChannelPair, type FakeChannelEnd } from './fake-channel.ts';

interface Member {
  peerId: string;
  role: Role;
  events: SignalingEvents;
  gone: boolean;
}

/**
 * An in-memory signaler and WebRTC for the orchestration's unit tests: rooms that introduce members, and
 * connections that pair up through the signals the orchestration passes, carrying fake channels. Tests break
 * it the way networks break: drop a connection's channel, or make a member vanish.
 */
export class FakeNetwork implements Network {
  readonly #rooms = new Map<string, Member[]>();
  readonly #connections = new Map<string, FakeConnection>();
  /** Peer tokens, as the signaler keeps them: a token reclaims its peer id. */
  readonly #tokens = new Map<string, string>();
  #nextId = 0;
  /** Every page's way back into its room after a restart of the signaler. */
  readonly #rejoins: Array<{ role: Role; rejoin: () => void }> = [];
  /** What every connection reports as its measured round trip: 0, as on loopback, unless a test sets it. */
  roundTripMs: number | undefined = 0;

  signaling(room: string, role: Role, events: SignalingEvents, peerToken?: string): Signaling {
    const reclaimed = peerToken === undefined ? undefined : this.#tokens.get(peerToken);
    // The page's current membership: a restarted signaler (restartSignaler) gives it another.
    let member: Member = { peerId: reclaimed ?? `peer-${++this.#nextId}`, role, events, gone: false };
    let token = reclaimed ? peerToken! : `token-${member.peerId}`;
    this.#tokens.set(token, member.peerId);
    const others = () => (this.#rooms.get(room) ?? []).filter((m) => m !== member && !m.gone);
    const join = (): void => {
      // A reclaimed id evicts the page that held it before, without a peer-left (as the signaler does).
      for (const stale of others()) if (stale.peerId === member.peerId) stale.gone = true;
      const peers: PeerInfo[] = others().map((m) => ({ peerId: m.peerId, role: m.role }));
      this.#rooms.set(room, [...(this.#rooms.get(room) ?? []), member]);
      const joining = member;
      queueMicrotask(() => {
        events.joined({ peerId: joining.peerId, peerToken: token, peers, iceServers: [] });
        for (const other of others()) other.events.peerJoined({ peerId: joining.peerId, role });
      });
    };
    this.#rejoins.push({
      role,
      rejoin: () => {
        if (member.gone) return;
        // The restarted signaler knows neither the room nor the token: the page rejoins under a new peer id.
        member = { peerId: `peer-${++this.#nextId}`, role, events, gone: false };
        token = `token-${member.peerId}`;
        this.#tokens.set(token, member.peerId);
        join();
      },
    });
    return {
      connect: join,
      signal: (to, data) => {
        const target = others().find((m) => m.peerId === to);
        if (target && !member.gone) queueMicrotask(() => target.events.signal(member.peerId, data));
      },
      close: () => this.#leave(room, member),
    };
  }

  /**
   * The signaler restarts: its rooms and peer tokens are gone, connections between peers stay up, and every page
   * that was in a room rejoins under a new peer id, without a peer-left for its old one; senders first (they open
   * the room again; a receiver that came first would be told room-not-found and try again later).
   */
  restartSignaler(): void {
    this.#rooms.clear();
    this.#tokens.clear();
    const rejoins = [...this.#rejoins].sort((a, b) => Number(b.role === 'sender') - Number(a.role === 'sender'));
    for (const { rejoin } of rejoins) rejoin();
  }

  connect(options: PeerConnectionOptions, events: PeerConnectionEvents): PeerConnection {
    const connection = new FakeConnection(`conn-${++this.#nextId}`, options, events, this);
    this.#connections.set(connection.id, connection);
    // The impolite side offers at once; the offer names the connection, so the answering side can pair with it.
    if (!options.polite) options.sendSignal({ description: { type: 'offer', sdp: connection.id } });
    return connection;
  }

  find(id: string): FakeConnection | undefined {
    return this.#connections.get(id);
  }

  /** Every connection made so far, oldest first. */
  get connections(): FakeConnection[] {
    return [...this.#connections.values()];
  }

  /** A member's page goes away: it leaves its room and its connections close, without a word on any channel. */
  vanish(peerId: string): void {
    for (const [room, members] of this.#rooms) for (const member of members) if (member.peerId === peerId) this.#leave(room, member);
  }

  #leave(room: string, member: Member): void {
    if (member.gone) return;
    member.gone = true;
    for (const other of (this.#rooms.get(room) ?? []).filter((m) => !m.gone)) queueMicrotask(() => other.events.peerLeft(member.peerId));
  }
}

export class FakeConnection implements PeerConnection {
  state: ConnectionState = 'connecting';
  remote: FakeConnection | undefined;
  /** The channels this connection carried, newest last. */
  readonly channels: FakeChannelEnd[] = [];
  /** The stripes it carried, newest last. */
  readonly stripes: FakeChannelEnd[] = [];
  /** The lanes' signal channels it carried, newest last. */
  readonly lanes: FakeChannelEnd[] = [];
  #paired: Array<() => void> = [];
  /** The far end's page is gone while this connection still reads connected (see farPageGone). */
  #farGone = false;

  constructor(
    readonly id: string,
    private readonly options: PeerConnectionOptions,
    private readonly events: PeerConnectionEvents,
    private readonly network: FakeNetwork,
  ) {}

  /** The receiver's side of a connection is the polite one. */
  get polite(): boolean {
    return this.options.polite;
  }

  async receive(data: SignalData): Promise<void> {
    if (!('description' in data) || data.description.type !== 'offer' || this.state === 'closed') return;
    const offerer = this.network.find(data.description.sdp ?? '');
    if (!offerer || offerer.state === 'closed') return;
    // As a browser's setRemoteDescription: a connection cannot switch to another peer's certificate.
    if (this.remote && this.remote !== offerer) throw new Error('the offer comes from another connection');
    this.remote = offerer;
    offerer.remote = this;
    for (const side of [this, offerer]) side.#setState('connected');
    this.options.sendSignal({ description: { type: 'answer', sdp: this.id } });
    offerer.#paired.splice(0).forEach((wake) => wake());
  }

  async openChannel(kind: ChannelKind = 'transfer'): Promise<TransferChannel> {
    if (!this.remote) await new Promise<void>((resolve) => this.#paired.push(resolve));
    const remote = this.remote!;
    if (this.state !== 'connected') throw new Error('the connection is not up');
    const [local, far] = fakeChannelPair({ tornDown: this.#farGone });
    this.#kept(kind).push(local);
    remote.#kept(kind).push(far);
    if (!this.#farGone) queueMicrotask(() => remote.events.channel(far, kind));
    return local;
  }

  async roundTripMs(): Promise<number | undefined> {
    return this.network.roundTripMs;
  }

  startsAnew(data: SignalData): boolean {
    return !!this.remote && 'description' in data && data.description.type === 'offer' && data.description.sdp !== this.remote.id;
  }

  fingerprints(): { local: string; remote: string } {
    return { local: `fp-${this.id}`, remote: `fp-${this.remote?.id ?? 'none'}` };
  }

  get maxMessageSize(): number | undefined {
    return 64 * 1024;
  }

  /** The current channel closes while the connection lives on (an SCTP stream reset). */
  dropChannel(): void {
    this.channels.at(-1)?.close('the channel was reset');
  }

  /**
   * The far end's page went away (a reload): its channel closes, but this side still reads `connected` until ICE
   * notices. A channel opened on it now still opens, and every send on it fails while it reads open.
   */
  farPageGone(): void {
    this.#farGone = true;
    this.dropChannel();
  }

  /**
   * ICE fails on both sides: the connection reads `failed` and its channels, still open, carry nothing more (see
   * FakeChannelEnd.stall), until someone closes them.
   */
  fail(): void {
    for (const channel of [...this.channels, ...this.stripes, ...this.lanes]) channel.stall();
    for (const side of [this, this.remote]) if (side) side.#setState('failed');
  }

  /** As RTCPeerConnection.close(): the connection is closed before its channels say so. */
  close(): void {
    if (this.state === 'closed') return;
    this.#setState('closed');
    if (this.remote) this.remote.#setState('closed');
    for (const channel of [...this.channels, ...this.stripes, ...this.lanes]) channel.close();
  }

  #kept(kind: ChannelKind): FakeChannelEnd[] {
    return { transfer: this.channels, stripe: this.stripes, lane: this.lanes }[kind];
  }

  #setState(state: ConnectionState): void {
    if (this.state === state || this.state === 'closed') return;
    this.state = state;
    queueMicrotask(() => this.events.state(state));
  }
}
