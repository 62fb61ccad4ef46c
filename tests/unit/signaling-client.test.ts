import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { CloseCode, PROTOCOL_VERSION, unsupportedProtocolReason } from '../../signal/protocol/index.ts';
import { ROOM_WAIT_MS, SignalingClient, signalingUrl } from '../../web/src/net/signaling-client.ts';
import type { SignalingProblem } from '../../web/src/net/network.ts';

/** A WebSocket that never opens while the device is offline, and opens at once when it is online. */
class FakeSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 3;
  static online = false;
  static opened: FakeSocket[] = [];
  readyState = FakeSocket.CONNECTING;
  constructor(readonly url: string) {
    super();
    queueMicrotask(() => {
      if (FakeSocket.online) {
        this.readyState = FakeSocket.OPEN;
        FakeSocket.opened.push(this);
        this.dispatchEvent(new Event('open'));
      } else {
        this.readyState = FakeSocket.CLOSED;
        this.dispatchEvent(new Event('close'));
      }
    });
  }
  send(): void {}
  close(): void {
    this.readyState = FakeSocket.CLOSED;
  }
}

const device = new EventTarget();

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.online = false;
  FakeSocket.opened = [];
  vi.stubGlobal('WebSocket', FakeSocket);
  vi.stubGlobal('addEventListener', device.addEventListener.bind(device));
  vi.stubGlobal('removeEventListener', device.removeEventListener.bind(device));
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const handlers = { joined() {}, peerJoined() {}, peerLeft() {}, signal() {}, problem() {} };

test('back online, the client reconnects at once instead of waiting out its backoff', async () => {
  const client = new SignalingClient('ws://127.0.0.1:1/ws', 'R'.repeat(22), 'receiver', handlers);
  client.connect();
  // Offline for a while: each failed try waits longer, up to 10 s (±50 %).
  for (let i = 0; i < 6; i++) await vi.advanceTimersByTimeAsync(20_000);
  expect(FakeSocket.opened).toHaveLength(0);

  FakeSocket.online = true;
  device.dispatchEvent(new Event('online'));
  await vi.advanceTimersByTimeAsync(0);
  expect(FakeSocket.opened).toHaveLength(1);

  // Once stopped, coming online again does nothing.
  client.close();
  device.dispatchEvent(new Event('online'));
  await vi.advanceTimersByTimeAsync(30_000);
  expect(FakeSocket.opened).toHaveLength(1);
});

test('the page states its protocol version, and a server of another version stops the client with a fatal problem saying so', async () => {
  expect(signalingUrl({ protocol: 'https:', host: 'drop.example' } as Location)).toBe(`wss://drop.example/ws?protocol=${PROTOCOL_VERSION}`);

  FakeSocket.online = true;
  const problems: Array<{ problem: SignalingProblem; fatal: boolean }> = [];
  const client = new SignalingClient('ws://127.0.0.1:1/ws', 'R'.repeat(22), 'receiver', {
    ...handlers,
    problem: (problem, fatal) => problems.push({ problem, fatal }),
  });
  client.connect();
  await vi.advanceTimersByTimeAsync(0);
  const socket = FakeSocket.opened[0]!;
  // What the server does (signal/app.ts), with a reason naming its version as a newer server would.
  socket.readyState = FakeSocket.CLOSED;
  socket.dispatchEvent(Object.assign(new Event('close'), { code: CloseCode.unsupportedProtocol, reason: unsupportedProtocolReason().replace(/\d+$/, '2') }));

  // A code and both versions, which the page words in the person's language (app/problem-text.ts).
  expect(problems).toEqual([{ problem: { code: 'server-version', pageVersion: 1, serverVersion: 2 }, fatal: true }]);
  // Reconnecting would meet the same refusal: the client does not try again.
  await vi.advanceTimersByTimeAsync(60_000);
  expect(FakeSocket.opened).toHaveLength(1);
});

test('a receiver whose room is missing before it ever joined waits for the sender, asking again with backoff, and gives up only after ROOM_WAIT_MS', async () => {
  FakeSocket.online = true;
  const problems: Array<{ problem: SignalingProblem; fatal: boolean }> = [];
  let missing = 0;
  const client = new SignalingClient('ws://127.0.0.1:1/ws', 'R'.repeat(22), 'receiver', {
    ...handlers,
    problem: (problem, fatal) => problems.push({ problem, fatal }),
    roomMissing: () => missing++,
  });
  // What the server answers each join while the room is missing (signal/rooms/room-registry.ts).
  const refuse = (socket: FakeSocket): void => {
    const frame = { type: 'error', code: 'room-not-found', message: 'This link has expired or its sender has closed the page.' };
    socket.dispatchEvent(Object.assign(new Event('message'), { data: JSON.stringify(frame) }));
  };
  const start = Date.now();
  client.connect();
  await vi.advanceTimersByTimeAsync(0);
  refuse(FakeSocket.opened[0]!);
  // Not fatal: the sender may be on its way (a restarted signaler, a reloading page).
  expect(problems).toEqual([]);
  expect(missing).toBe(1);
  // It asks again, later each time, while the room stays missing.
  while (problems.length === 0) {
    const asked = FakeSocket.opened.length;
    await vi.advanceTimersByTimeAsync(1_000);
    if (FakeSocket.opened.length > asked) refuse(FakeSocket.opened.at(-1)!);
  }
  expect(FakeSocket.opened.length).toBeGreaterThan(2);
  expect(missing).toBe(FakeSocket.opened.length - 1);
  expect(problems).toEqual([{ problem: { code: 'room-not-found', detail: 'This link has expired or its sender has closed the page.' }, fatal: true }]);
  // On the fake clock: not before the room stayed missing that long.
  expect(Date.now() - start).toBeGreaterThanOrEqual(ROOM_WAIT_MS);
  // Given up: no more tries.
  const tries = FakeSocket.opened.length;
  await vi.advanceTimersByTimeAsync(60_000);
  expect(FakeSocket.opened).toHaveLength(tries);
});
