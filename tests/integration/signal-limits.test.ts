import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createHmac, randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { startSignalServer, type RunningServer } from '../support/signal-server.ts';
import { TestSocket } from '../support/ws-client.ts';

const TURN_SECRET = randomBytes(18).toString('base64url');
const newId = () => randomBytes(16).toString('base64url');

describe('limits, liveness, observability', () => {
  let server: RunningServer;
  const sockets: TestSocket[] = [];
  const open = async () => {
    const socket = await TestSocket.open(server.url);
    sockets.push(socket);
    return socket;
  };
  /** Every room id and peer token handed out in these tests: none may appear in the logs. */
  const secrets: string[] = [];
  const join = async (socket: TestSocket, room: string, role: 'sender' | 'receiver') => {
    const joined = await socket.join(room, role);
    secrets.push(room, joined.peerToken);
    return joined;
  };

  beforeAll(async () => {
    server = await startSignalServer({
      RATE_LIMIT_PER_SECOND: '1',
      RATE_LIMIT_BURST: '8',
      MAX_PEERS_PER_ROOM: '2',
      MAX_ROOMS_PER_IP: '3',
      HEARTBEAT_SECONDS: '1',
      TURN_URLS: 'turn:127.0.0.1:3478?transport=udp,turn:127.0.0.1:3478?transport=tcp',
      TURN_SECRET,
      TURN_TTL_SECONDS: '120',
      METRICS_PORT: '0',
    });
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** Sends 12 frames at once (the burst is 8), then keeps sending until the server closes the socket. */
  const flood = async (socket: TestSocket): Promise<{ codes: string[]; closeCode: number }> => {
    for (let i = 0; i < 12; i++) socket.send({ type: 'signal', to: newId(), data: { candidate: null } });
    const codes: string[] = [];
    for (let i = 0; i < 12; i++) codes.push((await socket.next('error')).code);
    for (let i = 0; i < 100 && !socket.isClosed; i++) socket.send({ type: 'leave' });
    return { codes, closeCode: (await socket.closed).code };
  };

  test('a socket past its rate limit is told to slow down, and one that keeps flooding is closed (1008)', async () => {
    const { codes, closeCode } = await flood(await open());
    expect(codes.slice(0, 8)).toEqual(Array(8).fill('not-joined'));
    expect(codes).toContain('rate-limited');
    expect(closeCode).toBe(1008);
  });

  test('a room holds MAX_PEERS_PER_ROOM peers', async () => {
    const room = newId();
    const [a, b, c] = await Promise.all([open(), open(), open()]);
    await join(a, room, 'sender');
    await join(b, room, 'receiver');
    c.send({ type: 'join', room, role: 'receiver' });
    expect(await c.next('error')).toMatchObject({ code: 'room-full' });
  });

  test('one address is in at most MAX_ROOMS_PER_IP rooms at once; leaving one frees a place', async () => {
    const [a, b, c, d] = await Promise.all([open(), open(), open(), open()]);
    await join(a, newId(), 'sender');
    await join(b, newId(), 'sender');
    await join(c, newId(), 'sender');
    d.send({ type: 'join', room: newId(), role: 'sender' });
    expect(await d.next('error')).toMatchObject({ code: 'too-many-rooms' });
    a.send({ type: 'leave' });
    await a.roundTrip();
    await join(d, newId(), 'sender');
  });

  test('a socket that stops answering pings is dropped and its room hears it left; live sockets stay', async () => {
    const room = newId();
    const sender = await open();
    const s = await join(sender, room, 'sender');
    // A client that never answers pings: what a vanished laptop looks like to the server.
    const silent = new WebSocket(`${server.url.replace('http', 'ws')}/ws`, { autoPong: false });
    await new Promise((resolve) => silent.once('open', resolve));
    silent.send(JSON.stringify({ type: 'join', room, role: 'receiver' }));
    const closed = new Promise<number>((resolve) => silent.once('close', resolve));
    const joined = await sender.next('peer-joined');
    expect(await closed).toBe(1006);
    expect(await sender.next('peer-left')).toEqual({ type: 'peer-left', peerId: joined.peerId });
    // The live socket answering pings is still there and still in its room: a newcomer finds it.
    await sender.roundTrip();
    expect(sender.isClosed).toBe(false);
    const newcomer = await join(await open(), room, 'receiver');
    expect(newcomer.peers).toEqual([{ peerId: s.peerId, role: 'sender' }]);
  });

  test('joined carries short-lived TURN REST credentials for the peer that verify with the shared secret', async () => {
    const joined = await join(await open(), newId(), 'sender');
    const turn = joined.iceServers.at(-1);
    if (!turn?.username || !turn.credential) throw new Error(`no TURN credentials: ${JSON.stringify(turn)}`);
    expect(turn.urls).toEqual(['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp']);
    const [expiry, who] = turn.username.split(':');
    expect(who).toBe(joined.peerId);
    const secondsLeft = Number(expiry) - Date.now() / 1000;
    expect(secondsLeft).toBeGreaterThan(0);
    expect(secondsLeft).toBeLessThanOrEqual(120);
    expect(turn.credential).toBe(createHmac('sha1', TURN_SECRET).update(turn.username).digest('base64'));
  });

  test('the public port mints no credentials for strangers and shows no metrics: /api/ice and /metrics are not there', async () => {
    for (const path of ['/api/ice', '/metrics']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.text(), path).not.toMatch(/turn:|dropline_/);
    }
  });

  test('/metrics counts connections, rooms, messages and refusals in the Prometheus text format', async () => {
    const socket = await open();
    await join(socket, newId(), 'sender');
    socket.send('not json');
    await socket.next('error');
    await flood(await open());
    const response = await fetch(`${server.metricsUrl}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toMatch(/^# TYPE dropline_connections gauge$/m);
    expect(text).toMatch(/^dropline_connections [1-9]\d*$/m);
    expect(text).toMatch(/^dropline_rooms [1-9]\d*$/m);
    expect(text).toMatch(/^dropline_messages_received_total [1-9]\d*$/m);
    expect(text).toMatch(/^dropline_refusals_total\{code="bad-json"\} [1-9]\d*$/m);
    expect(text).toMatch(/^dropline_refusals_total\{code="rate-limited"\} [1-9]\d*$/m);
    expect(text).toMatch(/^dropline_abuse_closes_total\{reason="flood"\} [1-9]\d*$/m);
  });

  test('every response carries the security headers; HSTS only when the request came over TLS', async () => {
    for (const path of ['/healthz', '/', '/no-such-page']) {
      const plain = await fetch(`${server.url}${path}`);
      expect(plain.headers.get('content-security-policy')).toMatch(/default-src 'self'.*script-src 'self'/);
      expect(plain.headers.get('content-security-policy')).not.toMatch(/unsafe-inline/);
      expect(plain.headers.get('referrer-policy')).toBe('no-referrer');
      expect(plain.headers.get('x-content-type-options')).toBe('nosniff');
      expect(plain.headers.get('strict-transport-security')).toBeNull();
      const proxied = await fetch(`${server.url}${path}`, { headers: { 'x-forwarded-proto': 'https' } });
      expect(proxied.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    }
  });

  test('logs are one JSON object per line, and hold no room id and no peer token', async () => {
    const joinedLines = () => server.output().split('\n').filter((line) => line.includes('"event":"joined"')).length;
    const before = joinedLines();
    const room = newId();
    await join(await open(), room, 'sender');
    await join(await open(), room, 'receiver');
    await join(await open(), newId(), 'sender');
    // The log reaches this process through a pipe, a little after the frames do.
    await expect.poll(joinedLines, { timeout: 10_000, interval: 50 }).toBeGreaterThanOrEqual(before + 3);
    const lines = server.output().trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(lines.some((line) => (JSON.parse(line) as { event: string }).event === 'joined')).toBe(true);
    expect(secrets.length).toBeGreaterThan(5);
    for (const secret of secrets) expect(server.output()).not.toContain(secret);
    expect(server.output()).not.toContain(TURN_SECRET);
  });
});

test('on SIGTERM the server tells every client to reconnect (1012), stops listening and exits cleanly', async () => {
  const server = await startSignalServer();
  const [sender, receiver] = await Promise.all([TestSocket.open(server.url), TestSocket.open(server.url)]);
  const room = newId();
  await sender.join(room, 'sender');
  await receiver.join(room, 'receiver');
  const exited = new Promise<number | null>((resolve) => server.process.once('exit', resolve));
  server.process.kill('SIGTERM');
  expect((await sender.closed).code).toBe(1012);
  expect((await receiver.closed).code).toBe(1012);
  expect(await exited).toBe(0);
  expect(server.output()).toMatch(/"event":"stopped"/);
  await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
});
