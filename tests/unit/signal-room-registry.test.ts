import { afterEach, describe, expect, test, vi } from 'vitest';
import { MemoryRoomRegistry } from '../../signal/rooms/room-registry.ts';
import { FakeMember, joined, ROOM, roomRegistryContract } from '../support/room-registry-contract.ts';

describe('MemoryRoomRegistry', () => {
  roomRegistryContract(() => ({
    make: async (limits) => new MemoryRoomRegistry(limits),
    eventually: async (check) => check(),
    cleanup: async () => {},
  }));
});

describe('MemoryRoomRegistry expiry', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test('an empty room lives through the grace period, so its peers can come back, then expires', async () => {
    vi.useFakeTimers();
    const rooms = new MemoryRoomRegistry({ maxPeersPerRoom: 4, emptyRoomGraceMs: 1000 });
    const sender = joined(await rooms.join({ room: ROOM, role: 'sender' }, new FakeMember('sender').connect));
    await rooms.leave(ROOM, sender.peerId);
    expect(rooms.stats()).toEqual({ rooms: 1, peers: 0 });

    vi.advanceTimersByTime(999);
    const back = joined(await rooms.join({ room: ROOM, role: 'sender', peerToken: sender.peerToken }, new FakeMember('sender').connect));
    expect(back.peerId).toBe(sender.peerId);
    await rooms.leave(ROOM, back.peerId);

    vi.advanceTimersByTime(1000);
    expect(rooms.stats()).toEqual({ rooms: 0, peers: 0 });
    expect(await rooms.join({ room: ROOM, role: 'receiver' }, new FakeMember('receiver').connect)).toMatchObject({ ok: false, code: 'room-not-found' });
    await rooms.close();
  });
});
