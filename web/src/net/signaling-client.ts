import {
  CloseCode,
  parseServerFrame,
  PROTOCOL_PARAM,
  PROTOCOL_VERSION,
  serverProtocolFrom,
  type ClientFrame,
  type ErrorCode,
  type Role,
  type ServerFrame,
  type SignalData,
} from '../../../signal/protocol/index.ts';
import type { SignalingEvents } from './network.ts';

/** Refusals that reconnecting cannot fix. */
const FATAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['room-not-found', 'room-full', 'sender-present', 'too-many-rooms']);

/**
 * How long a receiver that was never in its room keeps asking for it. A missing room looks the same whether the
 * link expired, its sender closed the page, the sender's page is reloading, or the signaler restarted and the
 * sender has not rejoined yet (it reconnects with the same backoff, up to 15 s); only once it has stayed missing
 * this long is it taken for gone (docs/protocols.md, "Signaling").
 */
export const ROOM_WAIT_MS = 120_000;

/** Reconnect delays: exponential from 500 ms up to 10 s, each with ±50 % jitter so a restarted server is not hit by every client at once. */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(10_000, 500 * 2 ** attempt);
  return Math.round(base * (0.5 + random()));
}

/**
 * One client's link to the signaler. It joins a room, passes signals, and
 * reconnects with backoff when the socket drops, reclaiming its peer id with
 * the token the server gave it so the other side sees the same peer.
 */
export class SignalingClient {
  #socket: WebSocket | undefined;
  #peerToken: string | undefined;
  #retries = 0;
  #stopped = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Whether this client was ever in its room: then the room is coming back (a restarted server), not gone. */
  #joinedBefore = false;
  /** When a receiver never in its room was first told it is missing: it gives up ROOM_WAIT_MS after. */
  #missingSince: number | undefined;
  /** The device is back online: reconnect now rather than at the end of a backoff of up to 10 s. */
  readonly #online = (): void => {
    if (this.#stopped || this.#socket?.readyState === WebSocket.OPEN || this.#socket?.readyState === WebSocket.CONNECTING) return;
    clearTimeout(this.#retryTimer);
    this.#retries = 0;
    this.connect();
  };

  constructor(
    private readonly url: string,
    private readonly room: string,
    private readonly role: Role,
    private readonly handlers: SignalingEvents,
    peerToken?: string,
  ) {
    this.#peerToken = peerToken;
  }

  connect(): void {
    if (this.#stopped) return;
    globalThis.addEventListener?.('online', this.#online);
    const socket = new WebSocket(this.url);
    this.#socket = socket;
    socket.addEventListener('open', () => {
      this.#send({ type: 'join', room: this.room, role: this.role, ...(this.#peerToken ? { peerToken: this.#peerToken } : {}) });
    });
    socket.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (typeof event.data !== 'string') return;
      const parsed = parseServerFrame(event.data);
      if (parsed.ok) this.#dispatch(parsed.frame);
      else console.warn('dropline: ignored a bad frame from the signaler:', parsed.message);
    });
    socket.addEventListener('close', (event: CloseEvent) => {
      if (this.#socket !== socket || this.#stopped) return;
      if (event.code === CloseCode.unsupportedProtocol) {
        this.close();
        this.handlers.problem({ code: 'server-version', pageVersion: PROTOCOL_VERSION, serverVersion: serverProtocolFrom(event.reason) }, true);
        return;
      }
      this.handlers.problem({ code: 'connection-lost' }, false);
      this.#retryLater();
    });
  }

  signal(to: string, data: SignalData): void {
    this.#send({ type: 'signal', to, data });
  }

  close(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    globalThis.removeEventListener?.('online', this.#online);
    if (this.#socket?.readyState === WebSocket.OPEN) this.#send({ type: 'leave' });
    this.#socket?.close();
  }

  #dispatch(frame: ServerFrame): void {
    switch (frame.type) {
      case 'joined':
        this.#retries = 0;
        this.#joinedBefore = true;
        this.#peerToken = frame.peerToken;
        this.handlers.joined(frame);
        return;
      case 'peer-joined':
        this.handlers.peerJoined(frame);
        return;
      case 'peer-left':
        this.handlers.peerLeft(frame.peerId);
        return;
      case 'signal':
        this.handlers.signal(frame.from, frame.data);
        return;
      case 'error': {
        // A room this client was in is missing only while its sender, too, reconnects to a restarted server; one it
        // was never in may be coming (see ROOM_WAIT_MS).
        if (frame.code === 'room-not-found' && this.#roomMayCome()) {
          this.#waitForRoom();
          return;
        }
        const fatal = FATAL_CODES.has(frame.code);
        if (fatal) this.close();
        this.handlers.problem({ code: frame.code, detail: frame.message }, fatal);
        return;
      }
    }
  }

  #roomMayCome(): boolean {
    if (this.#joinedBefore) return true;
    if (this.role !== 'receiver') return false;
    this.#missingSince ??= Date.now();
    return Date.now() - this.#missingSince < ROOM_WAIT_MS;
  }

  /** Asks for the room again later, on a new socket: the server answered this one's join, it has nothing more to say. */
  #waitForRoom(): void {
    const socket = this.#socket;
    // Dropped first, so that its close is not reported as a lost connection: it was closed on purpose.
    this.#socket = undefined;
    socket?.close();
    this.handlers.roomMissing?.();
    this.#retryLater();
  }

  #retryLater(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.connect(), reconnectDelay(this.#retries++));
  }

  #send(frame: ClientFrame): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(frame));
  }
}

/** The signaler's WebSocket URL for a page served from `location`, stating the protocol version the page speaks. */
export function signalingUrl(location: Location): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws?${PROTOCOL_PARAM}=${PROTOCOL_VERSION}`;
}
