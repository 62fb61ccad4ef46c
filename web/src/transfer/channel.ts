/**
 * The slice of an RTCDataChannel the engine uses. The engine talks to this,
 * never to WebRTC directly, so unit tests can join two engines with a fake.
 */
export interface TransferChannel {
  send(data: string | ArrayBuffer): void;
  readonly bufferedAmount: number;
  /** Resolves when bufferedAmount has fallen to the low-water mark (or the channel closed). */
  drained(): Promise<void>;
  /** Sets the one message handler; messages that came before it are handed to it first, in order. */
  onMessage(handler: (data: string | ArrayBuffer) => void): void;
  /**
   * Stops handing messages to the current handler: `unread` (messages it took but did not use) and everything
   * after them wait, in order, for the next onMessage(). How the handshake passes the channel to the transfer.
   */
  handOver(unread: Array<string | ArrayBuffer>): void;
  /** Called when the channel closes or fails, at once if it already has. */
  onClose(handler: (reason: string) => void): void;
  readonly isOpen: boolean;
  close(): void;
}

/** Sender-side queue limits, measured best on this kind of machine (design.md §8). */
export const HIGH_WATER_BYTES = 4 * 1024 * 1024;
export const LOW_WATER_BYTES = 2 * 1024 * 1024;

export function wrapDataChannel(dc: RTCDataChannel): TransferChannel {
  dc.binaryType = 'arraybuffer';
  dc.bufferedAmountLowThreshold = LOW_WATER_BYTES;
  let waiters: Array<() => void> = [];
  const wake = () => {
    const ready = waiters;
    waiters = [];
    ready.forEach((resolve) => resolve());
  };
  dc.addEventListener('bufferedamountlow', wake);
  dc.addEventListener('close', wake);
  // Listening starts now, so nothing is lost while the engine on top is still being set up.
  let deliver: ((data: string | ArrayBuffer) => void) | undefined;
  const early: Array<string | ArrayBuffer> = [];
  dc.addEventListener('message', (event: MessageEvent<string | ArrayBuffer>) => (deliver ? deliver(event.data) : early.push(event.data)));
  return {
    send: (data) => dc.send(data as ArrayBuffer),
    get bufferedAmount() {
      return dc.bufferedAmount;
    },
    get isOpen() {
      return dc.readyState === 'open';
    },
    drained: () =>
      dc.bufferedAmount <= LOW_WATER_BYTES || dc.readyState !== 'open'
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push(resolve)),
    onMessage: (handler) => {
      deliver = handler;
      early.splice(0).forEach(handler);
    },
    handOver: (unread) => {
      deliver = undefined;
      early.unshift(...unread);
    },
    onClose: (handler) => {
      if (dc.readyState === 'closed') handler('the connection closed');
      dc.addEventListener('close', () => handler('the connection closed'));
      dc.addEventListener('error', (event) => handler((event as RTCErrorEvent).error?.message ?? 'the connection failed'));
    },
    close: () => dc.close(),
  };
}
