import { LOW_WATER_BYTES, type TransferChannel } from '../../web/src/transfer/channel.ts';

/** Chromium throws "send queue is full" past this many queued bytes (design.md §8); so does the fake. */
export const SEND_QUEUE_LIMIT = 16 * 1024 * 1024;

export interface FakeChannelOptions {
  /** Changes or drops (undefined) a message on its way; for corrupted and malformed frames. */
  tamper?: (data: string | ArrayBuffer, index: number) => string | ArrayBuffer | undefined;
  /** No data frame is delivered (and the queue does not drain) until this settles: a stalled network. Order is kept. */
  deliveryGate?: Promise<void>;
  /**
   * The transport under the channel is being torn down: every send throws while the channel still reads open, as
   * a DataChannel's does when its connection's far end went away (its readyState catches up only later).
   */
  tornDown?: boolean;
}

/** One end of an in-memory channel: sends are queued and delivered on later turns of the event loop, like a DataChannel's. */
export class FakeChannelEnd implements TransferChannel {
  peer: FakeChannelEnd | undefined;
  bufferedAmount = 0;
  isOpen = true;
  /** Largest bufferedAmount seen at the moment of a send: the sender's high-water discipline. */
  peakBufferedAtSend = 0;
  readonly sent: Array<string | ArrayBuffer> = [];
  #handler: ((data: string | ArrayBuffer) => void) | undefined;
  /** Delivered while no handler was set: handed to the next one first, as a wrapped DataChannel does. */
  #early: Array<string | ArrayBuffer> = [];
  #closeHandlers: Array<(reason: string) => void> = [];
  #drainWaiters: Array<() => void> = [];
  #count = 0;
  /** The path under it went dead (see stall()). */
  #stalled = false;
  /** Deliveries in order, one after another, as on an ordered DataChannel. */
  #line: Promise<void> = Promise.resolve();

  constructor(private readonly options: FakeChannelOptions = {}) {}

  send(sent: string | ArrayBuffer): void {
    if (!this.isOpen) throw new Error('InvalidStateError: the channel is not open');
    if (this.options.tornDown) throw new Error('OperationError: Failure to send data');
    // A DataChannel copies what it is given; senders may reuse their buffer at once.
    const data = typeof sent === 'string' ? sent : sent.slice(0);
    const size = typeof data === 'string' ? data.length : data.byteLength;
    if (this.bufferedAmount + size > SEND_QUEUE_LIMIT) throw new Error('OperationError: RTCDataChannel send queue is full');
    this.peakBufferedAtSend = Math.max(this.peakBufferedAtSend, this.bufferedAmount);
    this.bufferedAmount += size;
    this.sent.push(data);
    const index = this.#count++;
    const deliver = (): void => {
      if (this.#stalled) return;
      this.bufferedAmount -= size;
      if (this.bufferedAmount <= LOW_WATER_BYTES) this.#wake();
      if (!this.isOpen || !this.peer?.isOpen) return;
      const delivered = this.options.tamper ? this.options.tamper(data, index) : data;
      if (delivered !== undefined) this.peer.#deliver(delivered);
    };
    const gate = typeof data !== 'string' && this.options.deliveryGate;
    this.#line = this.#line.then(async () => {
      if (gate) await gate;
      await new Promise((resolve) => setImmediate(resolve));
      deliver();
    });
  }

  drained(): Promise<void> {
    if (this.bufferedAmount <= LOW_WATER_BYTES || !this.isOpen) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  onMessage(handler: (data: string | ArrayBuffer) => void): void {
    this.#handler = handler;
    this.#early.splice(0).forEach(handler);
  }

  handOver(unread: Array<string | ArrayBuffer>): void {
    this.#handler = undefined;
    this.#early.unshift(...unread);
  }

  onClose(handler: (reason: string) => void): void {
    this.#closeHandlers.push(handler);
  }

  /**
   * The path under both ends goes dead while they still read open, as a DataChannel's does when its connection's
   * ICE fails: nothing sent from now on, or still queued, arrives, and the queue no longer drains.
   */
  stall(): void {
    for (const end of [this, this.peer]) if (end) end.#stalled = true;
  }

  /** Closes both ends, as a DataChannel does when either side goes away. */
  close(reason = 'the connection closed'): void {
    for (const end of [this, this.peer]) {
      if (!end?.isOpen) continue;
      end.isOpen = false;
      end.#wake();
      end.#closeHandlers.forEach((handler) => handler(reason));
    }
  }

  #deliver(data: string | ArrayBuffer): void {
    if (this.#handler) this.#handler(data);
    else this.#early.push(data);
  }

  #wake(): void {
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    waiters.forEach((resolve) => resolve());
  }
}

/** Two joined ends: what `a` sends, `b` receives, and the other way round. */
export function fakeChannelPair(aOptions: FakeChannelOptions = {}, bOptions: FakeChannelOptions = {}): [FakeChannelEnd, FakeChannelEnd] {
  const a = new FakeChannelEnd(aOptions);
  const b = new FakeChannelEnd(bOptions);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
