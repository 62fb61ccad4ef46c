import { describe, expect, test } from 'vitest';
import {
  FRAME_HEADER_BYTES,
  MAX_MESSAGE_BYTES,
  MAX_TEXT_BYTES,
  ProtocolError,
  chunkCount,
  chunkLength,
  chunkSizeFor,
  decodeDataFrame,
  encodeControl,
  encodeDataFrame,
  parseControl,
  textProblem,
} from '../../web/src/transfer/protocol.ts';

describe('data frames', () => {
  test('carry file, chunk, hash and payload through encode and decode', () => {
    const hash = new Uint8Array(32).map((_, i) => i);
    const payload = new TextEncoder().encode('payload ✓');
    const frame = encodeDataFrame(7, 123456, hash, payload);
    expect(frame.byteLength).toBe(FRAME_HEADER_BYTES + payload.byteLength);
    const decoded = decodeDataFrame(frame);
    expect(decoded.file).toBe(7);
    expect(decoded.chunk).toBe(123456);
    expect([...decoded.hash]).toEqual([...hash]);
    expect(new TextDecoder().decode(decoded.payload)).toBe('payload ✓');
  });

  test('an empty payload is a valid frame; a frame shorter than its header is not', () => {
    expect(decodeDataFrame(encodeDataFrame(0, 0, new Uint8Array(32), new Uint8Array(0))).payload.byteLength).toBe(0);
    expect(() => decodeDataFrame(new ArrayBuffer(FRAME_HEADER_BYTES - 1))).toThrow(ProtocolError);
  });

  test('the chunk size keeps every frame within the channel’s message limit', () => {
    for (const limit of [undefined, 0, 65536, 262144, 1 << 30]) {
      const size = chunkSizeFor(limit);
      expect(size + FRAME_HEADER_BYTES).toBeLessThanOrEqual(Math.min(limit || MAX_MESSAGE_BYTES, MAX_MESSAGE_BYTES));
      expect(size % 4096).toBe(0);
    }
  });

  test('chunk counts and lengths cover a file exactly', () => {
    expect(chunkCount(0, 4096)).toBe(0);
    expect(chunkCount(1, 4096)).toBe(1);
    expect(chunkCount(8192, 4096)).toBe(2);
    expect([0, 1, 2].map((i) => chunkLength(8193, 4096, i))).toEqual([4096, 4096, 1]);
  });
});

describe('control messages', () => {
  test('round-trip through encode and parse', () => {
    const message = { type: 'file-end', file: 2, chunks: 9, root: 'ab'.repeat(32) } as const;
    expect(parseControl(encodeControl(message))).toEqual(message);
  });

  test.each([
    ['not JSON', '{oops', 'not JSON'],
    ['an unknown type', '{"type":"launch"}', 'bad control message'],
    ['a field of the wrong type', '{"type":"ack","bytes":"lots"}', 'bad control message'],
    ['a negative count', '{"type":"ack","bytes":-1}', 'bad control message'],
    ['an extra field', '{"type":"cancel","why":"x"}', 'bad control message'],
    ['a bad root', `{"type":"file-end","file":0,"chunks":1,"root":"${'z'.repeat(64)}"}`, 'bad control message'],
    ['a huge message', `{"type":"error","message":"${'x'.repeat(5 * 1024 * 1024)}"}`, 'too large'],
  ])('reject %s with a clear ProtocolError', (_, text, reason) => {
    expect(() => parseControl(text)).toThrow(ProtocolError);
    expect(() => parseControl(text)).toThrow(reason);
  });
});

describe('a shared text', () => {
  test('round-trips exactly, and even the worst text under the limit fits one channel message', () => {
    const text = '中文 🎉 https://example.test/?q=1\n\u0001';
    expect(parseControl(encodeControl({ type: 'text', text }))).toEqual({ type: 'text', text });
    const worst = '\u0001'.repeat(MAX_TEXT_BYTES);
    expect(textProblem(worst)).toBeUndefined();
    expect(encodeControl({ type: 'text', text: worst }).length).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  });

  test('over the limit (counted in UTF-8 bytes) it is too long, with its size in KiB, and a peer that sends one is refused', () => {
    const tooLong = '字'.repeat(MAX_TEXT_BYTES / 3 + 1);
    expect(textProblem(tooLong)).toEqual({ code: 'too-long', kib: 33 });
    expect(() => parseControl(JSON.stringify({ type: 'text', text: tooLong }))).toThrow(ProtocolError);
  });
});

describe('a pause', () => {
  test('carries a code for the sender to word in its own language; one without a code (an older receiver) is still read', () => {
    expect(parseControl(JSON.stringify({ type: 'pause', code: 'storage-full', reason: 'the receiving device is out of storage space' }))).toEqual({
      type: 'pause',
      code: 'storage-full',
      reason: 'the receiving device is out of storage space',
    });
    expect(parseControl(JSON.stringify({ type: 'pause', reason: 'out of space' }))).toEqual({ type: 'pause', reason: 'out of space' });
    expect(() => parseControl(JSON.stringify({ type: 'pause', code: 'x'.repeat(65), reason: '' }))).toThrow(ProtocolError);
  });
});
