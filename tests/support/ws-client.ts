import WebSocket from 'ws';
import { parseServerFrame, type ServerFrame } from '../../signal/protocol/index.ts';

type FrameOf<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;

export interface Closed {
  code: number;
  reason: string;
}

/**
 * A real `ws` WebSocket client speaking the signaling protocol, for tests. It
 * keeps every frame it receives in order, so a test can wait for the next frame
 * of a type or prove that nothing else arrived.
 */
export class TestSocket {
  /** Frames received and not yet taken by `next`. */
  readonly inbox: ServerFrame[] = [];
  /** Every frame ever received, in order. */
  readonly received: ServerFrame[] = [];
  readonly closed: Promise<Closed>;
  #waiters: Array<() => void> = [];
  #closedWith: Closed | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const parsed = isBinary ? undefined : parseServerFrame(data.toString());
      if (!parsed?.ok) throw new Error(`server sent a frame that is not in the protocol: ${data.toString().slice(0, 200)}`);
      this.inbox.push(parsed.frame);
      this.received.push(parsed.frame);
      this.#wake();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.#closedWith = { code, reason: reason.toString() };
        resolve(this.#closedWith);
        this.#wake();
      }),
    );
    ws.on('error', () => {
      // A refused or reset socket also emits 'close', which is what tests look at.
    });
  }

  /** Opens a socket to the signaler at `baseUrl` (http://…), with an optional `?query` on /ws, and waits until it is open. */
  static open(baseUrl: string, query = ''): Promise<TestSocket> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws${query}`);
    const socket = new TestSocket(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(socket));
      ws.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.#closedWith !== undefined;
  }

  /** Sends a frame as JSON, or a string exactly as given. */
  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Waits for the next frame of `type`; frames of other types stay in the inbox. */
  async next<T extends ServerFrame['type']>(type: T, timeoutMs = 10_000): Promise<FrameOf<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.inbox.findIndex((f) => f.type === type);
      if (index >= 0) return this.inbox.splice(index, 1)[0] as FrameOf<T>;
      if (this.#closedWith) throw new Error(`socket closed (${this.#closedWith.code}) while waiting for ${type}; inbox: ${JSON.stringify(this.inbox)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type} frame within ${timeoutMs} ms; inbox: ${JSON.stringify(this.inbox)}`);
      await this.#wait(left);
    }
  }

  #wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Waits for the next frame of any type, or the close if the server closes first. */
  async nextOrClose(timeoutMs = 10_000): Promise<ServerFrame | Closed> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.inbox.shift();
      if (frame) return frame;
      if (this.#closedWith) return this.#closedWith;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no answer within ${timeoutMs} ms`);
      await this.#wait(left);
    }
  }

  /** Joins a room and returns the `joined` frame (or throws with the refusal). */
  async join(room: string, role: 'sender' | 'receiver', peerToken?: string): Promise<FrameOf<'joined'>> {
    this.send({ type: 'join', room, role, ...(peerToken ? { peerToken } : {}) });
    return this.next('joined');
  }

  /**
   * A round trip through the server on this socket: sends a frame the server
   * always refuses and waits for that refusal. Whatever the server sent this
   * socket before has arrived by then, because one socket's frames keep their order.
   */
  async roundTrip(): Promise<void> {
    this.send({ type: 'probe' });
    const error = await this.next('error');
    if (error.code !== 'bad-frame') throw new Error(`probe answered with ${error.code}: ${error.message}`);
  }

  close(): Promise<Closed> {
    this.ws.close();
    return this.closed;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/**
 * Proves that `silent` received nothing in consequence of what `actors` sent:
 * a round trip on each actor shows the server handled their frames, and a
 * round trip on `silent` then flushes anything the server sent it meanwhile.
 * No fixed sleep.
 */
export async function expectSilence(silent: TestSocket, ...actors: TestSocket[]): Promise<void> {
  const before = silent.inbox.length;
  for (const actor of actors) await actor.roundTrip();
  const count = silent.inbox.length;
  await silent.roundTrip();
  if (silent.inbox.length !== before || count !== before) {
    throw new Error(`expected silence, got ${JSON.stringify(silent.inbox.slice(before))}`);
  }
}
