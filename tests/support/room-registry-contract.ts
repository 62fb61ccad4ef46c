import { afterEach, beforeEach, expect, test } from 'vitest';
import type { ServerFrame } from '../../signal/protocol/index.ts';
import type { JoinOutcome, Member, RoomRegistry } from '../../signal/rooms/room-registry.ts';

export const ROOM = 'RRRRRRRRRRRRRRRRRRRRRR';
export const OTHER_ROOM = 'SSSSSSSSSSSSSSSSSSSSSS';

/** A member that records what the registry hands it. */
export class FakeMember {
  readonly frames: ServerFrame[] = [];
  evicted = false;
  peerId = '';
  constructor(readonly role: 'sender' | 'receiver') {}
  connect = (peerId: string): Member => {
    this.peerId = peerId;
    return { peerId, role: this.role, deliver: (frame) => this.frames.push(frame), evict: () => (this.evicted = true) };
  };
}

export function joined(outcome: JoinOutcome): Extract<JoinOutcome, { ok: true }> {
  if (!outcome.ok) throw new Error(`join refused: ${outcome.code} ${outcome.message}`);
  return outcome;
}

export interface RegistryHarness {
  /** A registry; two calls give two instances over the same shared state where the registry has one. */
  make(limits: { maxPeersPerRoom: number; emptyRoomGraceMs: number }): Promise<RoomRegistry>;
  /** Waits until `check` holds: deliveries may be asynchronous (pub/sub). */
  eventually(check: () => void): Promise<void>;
  cleanup(): Promise<void>;
}

/** The behaviour every RoomRegistry shares, run against the in-memory one and the Redis one. */
export function roomRegistryContract(harness: () => RegistryHarness): void {
  let h: RegistryHarness;
  let rooms: RoomRegistry;
  const limits = { maxPeersPerRoom: 3, emptyRoomGraceMs: 60_000 };

  beforeEach(async () => {
    h = harness();
    rooms = await h.make(limits);
  });
  afterEach(async () => {
    await rooms.close();
    await h.cleanup();
  });

  test('a sender opens a room and a receiver joins it; each hears of the other', async () => {
    const sender = new FakeMember('sender');
    const first = joined(await rooms.join({ room: ROOM, role: 'sender' }, sender.connect));
    expect(first.peers).toEqual([]);
    expect(first.peerId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(first.peerToken).not.toBe(first.peerId);

    const receiver = new FakeMember('receiver');
    const second = joined(await rooms.join({ room: ROOM, role: 'receiver' }, receiver.connect));
    expect(second.peers).toEqual([{ peerId: first.peerId, role: 'sender' }]);
    await h.eventually(() => expect(sender.frames).toEqual([{ type: 'peer-joined', peerId: second.peerId, role: 'receiver' }]));
    expect(rooms.stats()).toEqual({ rooms: 1, peers: 2 });

    await rooms.leave(ROOM, second.peerId);
    await h.eventually(() => expect(sender.frames.at(-1)).toEqual({ type: 'peer-left', peerId: second.peerId }));
    expect(rooms.stats().peers).toBe(1);
  });

  test('a receiver cannot open a room', async () => {
    const outcome = await rooms.join({ room: ROOM, role: 'receiver' }, new FakeMember('receiver').connect);
    expect(outcome).toMatchObject({ ok: false, code: 'room-not-found' });
    expect(rooms.stats()).toEqual({ rooms: 0, peers: 0 });
  });

  test('a room has one sender', async () => {
    joined(await rooms.join({ room: ROOM, role: 'sender' }, new FakeMember('sender').connect));
    expect(await rooms.join({ room: ROOM, role: 'sender' }, new FakeMember('sender').connect)).toMatchObject({ ok: false, code: 'sender-present' });
  });

  test('a full room refuses one more peer', async () => {
    joined(await rooms.join({ room: ROOM, role: 'sender' }, new FakeMember('sender').connect));
    joined(await rooms.join({ room: ROOM, role: 'receiver' }, new FakeMember('receiver').connect));
    joined(await rooms.join({ room: ROOM, role: 'receiver' }, new FakeMember('receiver').connect));
    expect(await rooms.join({ room: ROOM, role: 'receiver' }, new FakeMember('receiver').connect)).toMatchObject({ ok: false, code: 'room-full' });
  });

  test('a peer token reclaims the peer id and evicts the stale connection', async () => {
    const sender = new FakeMember('sender');
    joined(await rooms.join({ room: ROOM, role: 'sender' }, sender.connect));
    const stale = new FakeMember('receiver');
    const first = joined(await rooms.join({ room: ROOM, role: 'receiver' }, stale.connect));

    const fresh = new FakeMember('receiver');
    const again = joined(await rooms.join({ room: ROOM, role: 'receiver', peerToken: first.peerToken }, fresh.connect));
    expect(again.peerId).toBe(first.peerId);
    expect(again.peerToken).toBe(first.peerToken);
    expect(again.peers).toEqual([{ peerId: sender.peerId, role: 'sender' }]);
    await h.eventually(() => expect(stale.evicted).toBe(true));
    expect(rooms.stats().peers).toBe(2);

    // Signals now reach the fresh connection only.
    expect(await rooms.relay(ROOM, sender.peerId, first.peerId, { type: 'signal', from: sender.peerId, data: { candidate: null } })).toBe(true);
    await h.eventually(() => expect(fresh.frames).toContainEqual({ type: 'signal', from: sender.peerId, data: { candidate: null } }));
    expect(stale.frames.filter((f) => f.type === 'signal')).toEqual([]);
  });

  test("a peer token cannot take another role's id, nor a token of another room", async () => {
    const sender = joined(await rooms.join({ room: ROOM, role: 'sender' }, new FakeMember('sender').connect));
    expect(await rooms.join({ room: ROOM, role: 'receiver', peerToken: sender.peerToken }, new FakeMember('receiver').connect)).toMatchObject({ ok: false });
    joined(await rooms.join({ room: OTHER_ROOM, role: 'sender' }, new FakeMember('sender').connect));
    const stranger = joined(await rooms.join({ room: OTHER_ROOM, role: 'receiver', peerToken: sender.peerToken }, new FakeMember('receiver').connect));
    expect(stranger.peerId).not.toBe(sender.peerId);
  });

  test('signals reach only a peer of the same room', async () => {
    const a = new FakeMember('sender');
    const b = new FakeMember('receiver');
    const c = new FakeMember('sender');
    joined(await rooms.join({ room: ROOM, role: 'sender' }, a.connect));
    joined(await rooms.join({ room: ROOM, role: 'receiver' }, b.connect));
    joined(await rooms.join({ room: OTHER_ROOM, role: 'sender' }, c.connect));
    const frame: ServerFrame = { type: 'signal', from: a.peerId, data: { candidate: null } };
    expect(await rooms.relay(ROOM, a.peerId, b.peerId, frame)).toBe(true);
    expect(await rooms.relay(ROOM, a.peerId, c.peerId, frame)).toBe(false);
    expect(await rooms.relay(OTHER_ROOM, a.peerId, b.peerId, frame)).toBe(false);
    await h.eventually(() => expect(b.frames).toContainEqual(frame));
    expect(c.frames).toEqual([]);
  });
}
