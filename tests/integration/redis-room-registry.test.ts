import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createClient } from '@redis/client';
import { RedisRoomRegistry } from '../../signal/rooms/redis-room-registry.ts';
import type { RoomRegistry } from '../../signal/rooms/room-registry.ts';
import type { Logger } from '../../signal/observability/logger.ts';
import { startRedis, type RunningRedis } from '../support/redis-server.ts';
import { startSignalServer, type RunningServer } from '../support/signal-server.ts';
import { expectSilence, TestSocket } from '../support/ws-client.ts';
import { roomRegistryContract } from '../support/room-registry-contract.ts';

let redis: RunningRedis;
const errors: string[] = [];
const log: Logger = { info: () => {}, warn: () => {}, error: (event, fields) => errors.push(`${event} ${JSON.stringify(fields)}`) };

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
  expect(errors).toEqual([]);
});

describe('RedisRoomRegistry meets the RoomRegistry contract', () => {
  roomRegistryContract(() => {
    const made: RoomRegistry[] = [];
    return {
      make: async (limits) => {
        const registry = await RedisRoomRegistry.connect(redis.url, limits, log);
        made.push(registry);
        return registry;
      },
      eventually: (check) => vi.waitFor(check, { timeout: 5000, interval: 10 }),
      cleanup: async () => {
        await Promise.all(made.map((r) => r.close()));
        const admin = createClient({ url: redis.url });
        await admin.connect();
        await admin.flushAll();
        await admin.close();
      },
    };
  });
});

describe('two signaler processes on one Redis', () => {
  let one: RunningServer;
  let two: RunningServer;
  const sockets: TestSocket[] = [];
  const open = async (server: RunningServer) => {
    const socket = await TestSocket.open(server.url);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    [one, two] = await Promise.all([startSignalServer({ REDIS_URL: redis.url }), startSignalServer({ REDIS_URL: redis.url })]);
  });
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await Promise.all([one?.stop(), two?.stop()]);
  });

  test('peers on different instances meet, signal, and hear each other leave; other rooms hear nothing', async () => {
    const room = randomBytes(16).toString('base64url');
    const [sender, receiver, stranger, neighbour] = await Promise.all([open(one), open(two), open(two), open(one)]);
    const s = await sender.join(room, 'sender');
    await stranger.join(randomBytes(16).toString('base64url'), 'sender');
    const r = await receiver.join(room, 'receiver');
    expect(r.peers).toEqual([{ peerId: s.peerId, role: 'sender' }]);
    expect(await sender.next('peer-joined')).toEqual({ type: 'peer-joined', peerId: r.peerId, role: 'receiver' });

    sender.send({ type: 'signal', to: r.peerId, data: { candidate: null } });
    expect(await receiver.next('signal')).toEqual({ type: 'signal', from: s.peerId, data: { candidate: null } });
    receiver.send({ type: 'signal', to: s.peerId, data: { description: { type: 'answer', sdp: 'v=0\r\n' } } });
    expect(await sender.next('signal')).toMatchObject({ from: r.peerId });

    // A receiver on instance 1 with the same token takes over the id held on instance 2.
    const again = await neighbour.join(room, 'receiver', r.peerToken);
    expect(again.peerId).toBe(r.peerId);
    expect((await receiver.closed).code).toBe(4001);
    await expectSilence(stranger, sender, neighbour);

    neighbour.send({ type: 'leave' });
    expect(await sender.next('peer-left')).toEqual({ type: 'peer-left', peerId: r.peerId });
  });

  test('a room is one room across instances: it has one sender, and a receiver cannot open one on either', async () => {
    const room = randomBytes(16).toString('base64url');
    const [a, b] = await Promise.all([open(one), open(two)]);
    await a.join(room, 'sender');
    b.send({ type: 'join', room, role: 'sender' });
    expect(await b.next('error')).toMatchObject({ code: 'sender-present' });
    const ghost = await open(two);
    ghost.send({ type: 'join', room: randomBytes(16).toString('base64url'), role: 'receiver' });
    expect(await ghost.next('error')).toMatchObject({ code: 'room-not-found' });
  });
});
