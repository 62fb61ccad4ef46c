import type { ClientFrame, ErrorCode, IceServer, ServerFrame } from '../protocol/index.ts';
import { parseClientFrame } from '../protocol/index.ts';
import type { RoomRegistry } from '../rooms/room-registry.ts';

/** The socket operations a session needs; kept small so tests can drive a session without a network. */
export interface SessionSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
}

/** Close code sent to a socket whose peer id was reclaimed by a newer connection. */
export const CLOSE_REPLACED = 4001;

/**
 * One WebSocket's conversation with the signaler: it joins once, relays signals
 * within its room, and leaves. Every frame is validated first; a bad one gets an
 * `error` frame and changes nothing.
 */
export class SignalingSession {
  #joined: { room: string; peerId: string } | undefined;
  #closed = false;
  /** Frames are handled one at a time, in order, even though the registry is async. */
  #queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: SessionSocket,
    private readonly rooms: RoomRegistry,
    private readonly iceServers: () => IceServer[],
  ) {}

  /** Queues one incoming text frame; the returned promise settles when it has been handled. */
  receive(text: string): Promise<void> {
    this.#queue = this.#queue.then(() => this.#process(text));
    return this.#queue;
  }

  async #process(text: string): Promise<void> {
    const parsed = parseClientFrame(text);
    if (!parsed.ok) return this.#refuse(parsed.code, parsed.message);
    try {
      await this.#handle(parsed.frame);
    } catch (error) {
      console.error(JSON.stringify({ event: 'session-error', error: String(error) }));
      this.#refuse('server-error', 'the signaler could not handle this frame');
    }
  }

  async #handle(frame: ClientFrame): Promise<void> {
    switch (frame.type) {
      case 'join': {
        if (this.#joined) return this.#refuse('already-joined', 'this socket has already joined a room');
        const outcome = await this.rooms.join(frame, (peerId) => ({
          peerId,
          role: frame.role,
          deliver: (out) => this.#send(out),
          evict: () => this.#evict(),
        }));
        if (!outcome.ok) return this.#refuse(outcome.code, outcome.message);
        this.#joined = { room: frame.room, peerId: outcome.peerId };
        if (this.#closed) return this.leave();
        this.#send({
          type: 'joined',
          room: frame.room,
          peerId: outcome.peerId,
          peerToken: outcome.peerToken,
          peers: outcome.peers,
          iceServers: this.iceServers(),
        });
        return;
      }
      case 'signal': {
        if (!this.#joined) return this.#refuse('not-joined', 'join a room before signaling');
        const { room, peerId } = this.#joined;
        const delivered =
          frame.to !== peerId && (await this.rooms.relay(room, peerId, frame.to, { type: 'signal', from: peerId, data: frame.data }));
        if (!delivered) return this.#refuse('unknown-peer', 'no such peer in this room');
        return;
      }
      case 'leave':
        return this.leave();
    }
  }

  /** Leaves the room, if any; called on `leave` and when the socket closes. */
  async leave(): Promise<void> {
    const joined = this.#joined;
    this.#joined = undefined;
    if (joined) await this.rooms.leave(joined.room, joined.peerId);
  }

  socketClosed(): Promise<void> {
    this.#closed = true;
    return this.leave();
  }

  #evict(): void {
    this.#joined = undefined;
    this.socket.close(CLOSE_REPLACED, 'replaced by a newer connection');
  }

  #refuse(code: ErrorCode, message: string): void {
    this.#send({ type: 'error', code, message });
  }

  #send(frame: ServerFrame): void {
    if (!this.#closed) this.socket.send(JSON.stringify(frame));
  }
}
