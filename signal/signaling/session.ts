import { CloseCode, parseClientFrame, type ClientFrame, type ErrorCode, type IceServer, type IceTransportPolicy, type ServerFrame } from '../protocol/index.ts';
import type { RoomRegistry } from '../rooms/room-registry.ts';
import { TokenBucket } from '../limits/token-bucket.ts';
import type { IpRoomQuota } from '../limits/ip-room-quota.ts';
import type { Metrics } from '../observability/metrics.ts';
import { roomTag, type Logger } from '../observability/logger.ts';

/** The socket operations a session needs; kept small so tests can drive a session without a network. */
export interface SessionSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
}

/** What every session of one server shares. */
export interface SessionContext {
  rooms: RoomRegistry;
  quota: IpRoomQuota;
  rateLimit: { perSecond: number; burst: number };
  iceFor(peerId: string): { iceServers: IceServer[]; iceTransportPolicy: IceTransportPolicy };
  metrics: Metrics;
  log: Logger;
}

/** Frames a socket may send into an empty bucket before it is closed: a client that ignores `rate-limited`. */
const FLOOD_STRIKES = 20;
/** Bad frames a socket may send in its life: a real client sends none, so this is generous. */
const MAX_BAD_FRAMES = 50;

/**
 * One WebSocket's conversation with the signaler: it joins once, relays signals
 * within its room, and leaves. Every frame takes a token from the socket's
 * bucket and is validated; a bad one gets an `error` frame and changes nothing,
 * and a socket that keeps abusing is closed with a close code.
 */
export class SignalingSession {
  #joined: { room: string; peerId: string } | undefined;
  /** The socket is gone, or we are closing it: nothing more is read or sent. */
  #closed = false;
  /** Frames are handled one at a time and answered in order, even though the registry is async. */
  #queue: Promise<void> = Promise.resolve();
  readonly #bucket: TokenBucket;
  #floodStrikes = 0;
  #badFrames = 0;

  constructor(
    private readonly socket: SessionSocket,
    private readonly ip: string,
    private readonly ctx: SessionContext,
  ) {
    this.#bucket = new TokenBucket(ctx.rateLimit.perSecond, ctx.rateLimit.burst);
  }

  /**
   * Takes one incoming frame (`undefined` for a binary one). The rate limit is
   * decided at once, so a flood never builds a queue; everything else is queued
   * so answers keep the frames' order. The promise settles when it is handled.
   */
  receive(text: string | undefined): Promise<void> {
    if (this.#closed) return this.#queue;
    this.ctx.metrics.messagesReceived++;
    if (!this.#bucket.take()) {
      if (++this.#floodStrikes > FLOOD_STRIKES) this.#abuse('flood', 'rate limit exceeded');
      else this.#enqueue(() => this.#refuse('rate-limited', 'too many messages; slow down'));
      return this.#queue;
    }
    this.#floodStrikes = 0;
    const parsed = text === undefined ? ({ ok: false, code: 'bad-frame', message: 'frames must be JSON text' } as const) : parseClientFrame(text);
    if (!parsed.ok) {
      const abusive = ++this.#badFrames > MAX_BAD_FRAMES;
      this.#enqueue(() => {
        this.#refuse(parsed.code, parsed.message);
        if (abusive) this.#abuse('bad-frames', 'too many bad frames');
      });
      return this.#queue;
    }
    this.#enqueue(() => this.#handle(parsed.frame));
    return this.#queue;
  }

  #enqueue(step: () => void | Promise<void>): void {
    this.#queue = this.#queue.then(step).catch((error: unknown) => {
      this.ctx.log.error('session-error', { error: String(error) });
      this.#refuse('server-error', 'the signaler could not handle this frame');
    });
  }

  async #handle(frame: ClientFrame): Promise<void> {
    if (this.#closed) return;
    switch (frame.type) {
      case 'join':
        return this.#join(frame);
      case 'signal': {
        if (!this.#joined) return this.#refuse('not-joined', 'join a room before signaling');
        const { room, peerId } = this.#joined;
        const delivered =
          frame.to !== peerId && (await this.ctx.rooms.relay(room, peerId, frame.to, { type: 'signal', from: peerId, data: frame.data }));
        if (!delivered) return this.#refuse('unknown-peer', 'no such peer in this room');
        this.ctx.metrics.messagesRelayed++;
        return;
      }
      case 'leave':
        return this.leave();
    }
  }

  async #join(frame: Extract<ClientFrame, { type: 'join' }>): Promise<void> {
    if (this.#joined) return this.#refuse('already-joined', 'this socket has already joined a room');
    if (!this.ctx.quota.acquire(this.ip, frame.room)) {
      return this.#refuse('too-many-rooms', 'this address is in too many rooms at once');
    }
    const outcome = await this.ctx.rooms.join(frame, (peerId) => ({
      peerId,
      role: frame.role,
      deliver: (out) => this.#send(out),
      evict: () => this.#evict(),
    }));
    if (!outcome.ok) {
      this.ctx.quota.release(this.ip, frame.room);
      return this.#refuse(outcome.code, outcome.message);
    }
    this.#joined = { room: frame.room, peerId: outcome.peerId };
    if (this.#closed) return this.leave();
    this.ctx.log.info('joined', { roomTag: roomTag(frame.room), peerId: outcome.peerId, role: frame.role, resumed: frame.peerToken === outcome.peerToken });
    this.#send({ type: 'joined', room: frame.room, peerId: outcome.peerId, peerToken: outcome.peerToken, peers: outcome.peers, ...this.ctx.iceFor(outcome.peerId) });
  }

  /** Leaves the room, if any; called on `leave` and when the socket closes. */
  async leave(): Promise<void> {
    const joined = this.#joined;
    this.#joined = undefined;
    if (!joined) return;
    this.ctx.quota.release(this.ip, joined.room);
    this.ctx.log.info('left', { roomTag: roomTag(joined.room), peerId: joined.peerId });
    await this.ctx.rooms.leave(joined.room, joined.peerId);
  }

  /** The socket closed: leave once every frame before the close is handled. */
  socketClosed(): Promise<void> {
    this.#closed = true;
    this.#enqueue(() => this.leave());
    return this.#queue;
  }

  #evict(): void {
    if (this.#joined) this.ctx.quota.release(this.ip, this.#joined.room);
    this.#joined = undefined;
    this.#close(CloseCode.replaced, 'replaced by a newer connection');
  }

  #abuse(reason: string, message: string): void {
    this.ctx.metrics.closedForAbuse(reason);
    this.ctx.log.warn('closed-for-abuse', { reason, ip: this.ip });
    this.#close(CloseCode.policyViolation, message);
  }

  #close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.socket.close(code, reason);
    // A closed socket leaves its room even if the close event is slow to come.
    this.#enqueue(() => this.leave());
  }

  #refuse(code: ErrorCode, message: string): void {
    this.ctx.metrics.refused(code);
    this.#send({ type: 'error', code, message });
  }

  #send(frame: ServerFrame): void {
    if (!this.#closed) this.socket.send(JSON.stringify(frame));
  }
}
