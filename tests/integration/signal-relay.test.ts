import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { randomBytes } from 'node:crypto';
import { MAX_FRAME_BYTES } from '../../signal/protocol/index.ts';
import { startSignalServer, type RunningServer } from '../support/signal-server.ts';
import { expectSilence, TestSocket } from '../support/ws-client.ts';

let server: RunningServer;
const sockets: TestSocket[] = [];
const newId = () => randomBytes(16).toString('base64url');
const open = async () => {
  const socket = await TestSocket.open(server.url);
  sockets.push(socket);
  return socket;
};

beforeAll(async () => {
  server = await startSignalServer();
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await server?.stop();
});

test('two peers of a room exchange signals; a peer of another room hears nothing', async () => {
  const room = newId();
  const [sender, receiver, stranger] = await Promise.all([open(), open(), open()]);
  const s = await sender.join(room, 'sender');
  expect(s.peers).toEqual([]);
  expect(s.iceServers).toEqual([]);
  await stranger.join(newId(), 'sender');

  const r = await receiver.join(room, 'receiver');
  expect(r.peers).toEqual([{ peerId: s.peerId, role: 'sender' }]);
  expect(await sender.next('peer-joined')).toEqual({ type: 'peer-joined', peerId: r.peerId, role: 'receiver' });

  const offer = { description: { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' } };
  sender.send({ type: 'signal', to: r.peerId, data: offer });
  expect(await receiver.next('signal')).toEqual({ type: 'signal', from: s.peerId, data: offer });
  const candidate = { candidate: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 } };
  receiver.send({ type: 'signal', to: s.peerId, data: candidate });
  expect(await sender.next('signal')).toEqual({ type: 'signal', from: r.peerId, data: candidate });

  await expectSilence(stranger, sender, receiver);

  receiver.send({ type: 'leave' });
  expect(await sender.next('peer-left')).toEqual({ type: 'peer-left', peerId: r.peerId });
});

test('bad frames get an error frame each, and the server keeps serving the same socket', async () => {
  const room = newId();
  const [sender, receiver] = await Promise.all([open(), open()]);
  const s = await sender.join(room, 'sender');

  sender.send('{"type":"join"');
  expect(await sender.next('error')).toMatchObject({ code: 'bad-json' });
  sender.send({ type: 'teleport', to: s.peerId });
  expect(await sender.next('error')).toMatchObject({ code: 'bad-frame' });
  sender.send({ type: 'signal', to: newId(), data: { candidate: null } }); // a well-formed id nobody has
  expect(await sender.next('error')).toMatchObject({ code: 'unknown-peer' });
  sender.send({ type: 'signal', to: s.peerId, data: { description: { type: 'offer', sdp: 'x'.repeat(MAX_FRAME_BYTES) } } });
  expect(await sender.next('error')).toMatchObject({ code: 'too-large' });
  sender.send({ type: 'join', room, role: 'sender' });
  expect(await sender.next('error')).toMatchObject({ code: 'already-joined' });
  expect(sender.isClosed).toBe(false);

  // The same socket still relays, and a new peer still joins.
  const r = await receiver.join(room, 'receiver');
  await sender.next('peer-joined');
  sender.send({ type: 'signal', to: r.peerId, data: { candidate: null } });
  expect(await receiver.next('signal')).toEqual({ type: 'signal', from: s.peerId, data: { candidate: null } });
});

test('a signal before joining, and a join to a room nobody opened, are refused', async () => {
  const socket = await open();
  socket.send({ type: 'signal', to: 'AAAAAAAAAAAAAAAAAAAAAA', data: { candidate: null } });
  expect(await socket.next('error')).toMatchObject({ code: 'not-joined' });
  socket.send({ type: 'join', room: newId(), role: 'receiver' });
  expect(await socket.next('error')).toMatchObject({ code: 'room-not-found' });
  // The refused join left the socket free to join elsewhere.
  await socket.join(newId(), 'sender');
});

test('a frame far over the cap closes the socket as abuse, and the server goes on', async () => {
  const socket = await open();
  socket.send('x'.repeat(8 * MAX_FRAME_BYTES));
  expect((await socket.closed).code).toBe(1009);
  const next = await open();
  await next.join(newId(), 'sender');
});
