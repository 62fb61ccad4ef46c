import type { ErrorCode, PeerInfo, Role, ServerFrame } from '../protocol/index.ts';
import { randomId } from '../ids.ts';

/** One connected socket as the registry sees it: who it is and how to reach it. */
export interface Member extends PeerInfo {
  deliver(frame: ServerFrame): void;
  /** Called when another socket reclaimed this member's id with its peer token. */
  evict(): void;
}

export type JoinRequest = { room: string; role: Role; peerToken?: string | undefined };
export type JoinOutcome =
  | { ok: true; peerId: string; peerToken: string; peers: PeerInfo[] }
  | { ok: false; code: ErrorCode; message: string };

/**
 * Rooms and who is in them. The in-memory registry is the embedded default; a
 * Redis-backed one implements the same interface so peers on different signaler
 * instances meet. Methods are async because that one is.
 */
export interface RoomRegistry {
  join(request: JoinRequest, connect: (peerId: string) => Member): Promise<JoinOutcome>;
  leave(room: string, peerId: string): Promise<void>;
  /** Delivers a signal to a peer of the same room; false if there is no such peer. */
  relay(room: string, from: string, to: string, frame: ServerFrame): Promise<boolean>;
  stats(): { rooms: number; peers: number };
  close(): Promise<void>;
}

export interface RoomLimits {
  maxPeersPerRoom: number;
  /** How long a room outlives its last peer, so a reloading sender or receiver can come back. */
  emptyRoomGraceMs: number;
}

interface Room {
  members: Map<string, Member>;
  /** peerToken → identity, so a reconnecting client reclaims its peer id. */
  tokens: Map<string, PeerInfo>;
  expiry: ReturnType<typeof setTimeout> | undefined;
}

export class MemoryRoomRegistry implements RoomRegistry {
  readonly #rooms = new Map<string, Room>();

  constructor(private readonly limits: RoomLimits) {}

  async join(request: JoinRequest, connect: (peerId: string) => Member): Promise<JoinOutcome> {
    let room = this.#rooms.get(request.room);
    const reclaimed = request.peerToken ? room?.tokens.get(request.peerToken) : undefined;
    if (!room) {
      // Only a sender opens a room: a receiver with a link to nothing is told so instead of waiting forever.
      if (request.role !== 'sender') {
        return { ok: false, code: 'room-not-found', message: 'This link has expired or its sender has closed the page.' };
      }
      room = { members: new Map(), tokens: new Map(), expiry: undefined };
      this.#rooms.set(request.room, room);
    }
    if (reclaimed && reclaimed.role !== request.role) {
      return { ok: false, code: 'bad-frame', message: 'peer token belongs to another role' };
    }
    if (!reclaimed) {
      if (room.members.size >= this.limits.maxPeersPerRoom) {
        return { ok: false, code: 'room-full', message: `a room holds at most ${this.limits.maxPeersPerRoom} peers` };
      }
      if (request.role === 'sender' && [...room.members.values()].some((m) => m.role === 'sender')) {
        return { ok: false, code: 'sender-present', message: 'this room already has a sender' };
      }
    }
    const peerId = reclaimed?.peerId ?? randomId();
    const peerToken = reclaimed ? request.peerToken! : randomId();
    const stale = room.members.get(peerId);
    if (stale) {
      room.members.delete(peerId);
      stale.evict();
    }
    if (room.expiry) clearTimeout(room.expiry);
    room.expiry = undefined;
    const peers = [...room.members.values()].map(({ peerId, role }) => ({ peerId, role }));
    room.members.set(peerId, connect(peerId));
    room.tokens.set(peerToken, { peerId, role: request.role });
    // A peer that reclaimed its id was never announced as gone if its old socket had not yet closed.
    for (const other of room.members.values()) {
      if (other.peerId !== peerId) other.deliver({ type: 'peer-joined', peerId, role: request.role });
    }
    return { ok: true, peerId, peerToken, peers };
  }

  async leave(roomId: string, peerId: string): Promise<void> {
    const room = this.#rooms.get(roomId);
    if (!room?.members.delete(peerId)) return;
    for (const other of room.members.values()) other.deliver({ type: 'peer-left', peerId });
    if (room.members.size === 0) {
      room.expiry = setTimeout(() => this.#rooms.delete(roomId), this.limits.emptyRoomGraceMs);
      room.expiry.unref?.();
    }
  }

  async relay(roomId: string, _from: string, to: string, frame: ServerFrame): Promise<boolean> {
    const target = this.#rooms.get(roomId)?.members.get(to);
    if (!target) return false;
    target.deliver(frame);
    return true;
  }

  stats(): { rooms: number; peers: number } {
    let peers = 0;
    for (const room of this.#rooms.values()) peers += room.members.size;
    return { rooms: this.#rooms.size, peers };
  }

  async close(): Promise<void> {
    for (const room of this.#rooms.values()) if (room.expiry) clearTimeout(room.expiry);
    this.#rooms.clear();
  }
}
