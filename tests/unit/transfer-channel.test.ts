import { describe, expect, test } from 'vitest';
import { wrapDataChannel } from '../../web/src/transfer/channel.ts';

/** Enough of an RTCDataChannel for the wrapper: events, readyState and bufferedAmount. */
function fakeDataChannel(): RTCDataChannel & { deliver(data: string | ArrayBuffer): void; shut(): void } {
  const target = new EventTarget() as RTCDataChannel & { deliver(data: string | ArrayBuffer): void; shut(): void };
  let readyState: RTCDataChannelState = 'open';
  Object.defineProperties(target, {
    readyState: { get: () => readyState },
    bufferedAmount: { value: 0 },
    binaryType: { value: 'blob', writable: true },
    bufferedAmountLowThreshold: { value: 0, writable: true },
  });
  target.deliver = (data) => target.dispatchEvent(new MessageEvent('message', { data }));
  target.shut = () => {
    readyState = 'closed';
    target.dispatchEvent(new Event('close'));
  };
  return target;
}

describe('wrapDataChannel', () => {
  test('keeps messages that arrive before the engine listens, and hands them over first, in order', () => {
    const dc = fakeDataChannel();
    const channel = wrapDataChannel(dc);
    dc.deliver('{"type":"manifest"}');
    dc.deliver(new ArrayBuffer(3));
    const seen: Array<string | number> = [];
    channel.onMessage((data) => seen.push(typeof data === 'string' ? data : data.byteLength));
    dc.deliver('later');
    expect(seen).toEqual(['{"type":"manifest"}', 3, 'later']);
  });

  test('a channel that closed before the engine listened still reports it', () => {
    const dc = fakeDataChannel();
    const channel = wrapDataChannel(dc);
    dc.shut();
    const reasons: string[] = [];
    channel.onClose((reason) => reasons.push(reason));
    expect(reasons).toEqual(['the connection closed']);
    expect(channel.isOpen).toBe(false);
  });
});
