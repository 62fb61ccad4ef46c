/**
 * What the orchestration needs of the network, and nothing more: a signaler that introduces peers, and
 * connections to peers that carry authenticated-to-be channels. The browser's implementation is
 * net/browser-network.ts (WebSocket, RTCPeerConnection); the unit tests bring an in-memory one, and a future
 * command-line peer its own (docs/architecture.md). The orchestration in share/ talks only to this.
 */
import type { ErrorCode, IceServer, PeerInfo, Role, SignalData } from '../../../signal/protocol/index.ts';
import type { TransferChannel } from '../transfer/channel.ts';

export interface SignalingEvents {
  /** In the room. `peerToken` reclaims this peer id later, from this page or, kept, from its reload. */
  joined(info: { peerId: string; peerToken: string; peers: PeerInfo[]; iceServers: IceServer[]; iceTransportPolicy?: RTCIceTransportPolicy | undefined }): void;
  peerJoined(peer: PeerInfo): void;
  peerLeft(peerId: string): void;
  signal(from: string, data: SignalData): void;
  /** A refusal from the server, or a lost connection (`fatal` when reconnecting cannot help). */
  problem(problem: SignalingProblem, fatal: boolean): void;
  /**
   * The room is not open: its sender has not joined yet or is rejoining a restarted signaler. The client asks
   * again with backoff, and reports a fatal problem only once the room stayed missing too long.
   */
  roomMissing?(): void;
}

/**
 * What went wrong with the signaler, as a code the page words in the person's own language, never the server's
 * words: `code` is the server's `error` code (signal/protocol), `connection-lost`, or `server-version` (the
 * server speaks another protocol version). `detail` is the server's English message, for logs only.
 */
export type SignalingProblem =
  | { code: ErrorCode; detail: string }
  | { code: 'connection-lost' }
  | { code: 'server-version'; pageVersion: number; serverVersion: number | undefined };

export interface Signaling {
  connect(): void;
  signal(to: string, data: SignalData): void;
  close(): void;
}

/** A connection's state, as RTCPeerConnection names it. */
export type ConnectionState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

/**
 * What a channel is for: `transfer`, the one a session runs on (the first, or a replacement); `stripe`, an extra
 * one that carries the same session's data frames alongside it; or `lane`, one the receiver opens to carry the
 * signals of one more connection to the same sender, which then carries a stripe (net/lane.ts; docs/protocols.md,
 * "Striping").
 */
export type ChannelKind = 'transfer' | 'stripe' | 'lane';

export interface PeerConnectionEvents {
  /** A channel the peer opened, once it is open, and what it is for. */
  channel(channel: TransferChannel, kind: ChannelKind): void;
  state(state: ConnectionState): void;
}

export interface PeerConnectionOptions {
  iceServers: IceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy | undefined;
  /** The polite peer yields when both sides offer at once (perfect negotiation). */
  polite: boolean;
  sendSignal(data: SignalData): void;
}

/** One connection to one peer. */
export interface PeerConnection {
  receive(data: SignalData): Promise<void>;
  /**
   * Opens a channel of that kind (the sender: for the transfer, a new one after the last was lost, or a stripe; the
   * receiver: a lane); resolves once it is open.
   */
  openChannel(kind?: ChannelKind): Promise<TransferChannel>;
  /** The round trip of the connection's selected path as the browser measured it, in ms; undefined before it has. */
  roundTripMs(): Promise<number | undefined>;
  /**
   * Whether `data` is an offer from another connection than the one this talks to: the peer's page reloaded and
   * reclaimed its peer id, so the offer must go to a new connection (this one cannot take another peer's keys).
   */
  startsAnew(data: SignalData): boolean;
  /** Both ends' DTLS fingerprints, for the handshake's proofs. */
  fingerprints(): { local: string; remote: string };
  /** The largest message the peer accepts, once connected. */
  readonly maxMessageSize: number | undefined;
  readonly state: ConnectionState;
  close(): void;
}

export interface Network {
  /** A peer token from an earlier page of this share reclaims its peer id (a reloaded sender). */
  signaling(room: string, role: Role, events: SignalingEvents, peerToken?: string): Signaling;
  connect(options: PeerConnectionOptions, events: PeerConnectionEvents): PeerConnection;
}
