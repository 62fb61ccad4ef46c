import { describe, expect, test } from 'vitest';
import { MAX_FRAME_BYTES, parseClientFrame, parseServerFrame } from '../../signal/protocol/index.ts';

const ROOM = 'AAAAAAAAAAAAAAAAAAAAAA';
const PEER = 'BBBBBBBBBBBBBBBBBBBBBB';

const refusal = (text: string) => {
  const parsed = parseClientFrame(text);
  if (parsed.ok) throw new Error(`accepted ${text.slice(0, 100)}`);
  return parsed;
};

describe('client frames that are accepted', () => {
  test.each([
    { type: 'join', room: ROOM, role: 'sender' },
    { type: 'join', room: ROOM, role: 'receiver', peerToken: PEER },
    { type: 'signal', to: PEER, data: { description: { type: 'offer', sdp: 'v=0\r\n' } } },
    { type: 'signal', to: PEER, data: { candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 } } },
    { type: 'signal', to: PEER, data: { candidate: null } },
    { type: 'leave' },
  ])('$type %#', (frame) => {
    expect(parseClientFrame(JSON.stringify(frame))).toEqual({ ok: true, frame });
  });
});

describe('client frames that are refused', () => {
  test('bad JSON', () => {
    expect(refusal('{"type":"join",').code).toBe('bad-json');
    expect(refusal('').code).toBe('bad-json');
  });

  test.each([
    ['unknown type', { type: 'shout', room: ROOM }],
    ['no type', { room: ROOM, role: 'sender' }],
    ['not an object', [1, 2, 3]],
    ['a bare string', 'join'],
    ['unknown field on join', { type: 'join', room: ROOM, role: 'sender', admin: true }],
    ['unknown field inside signal data', { type: 'signal', to: PEER, data: { description: { type: 'offer', sdp: '', x: 1 } } }],
    ['a spoofed from on signal', { type: 'signal', to: PEER, from: PEER, data: { candidate: null } }],
    ['unknown role', { type: 'join', room: ROOM, role: 'admin' }],
    ['short room id', { type: 'join', room: 'abc', role: 'sender' }],
    ['room id with padding', { type: 'join', room: 'AAAAAAAAAAAAAAAAAAAA==', role: 'sender' }],
    ['room id of the wrong alphabet', { type: 'join', room: 'AAAAAAAAAAAAAAAAAAAA+/', role: 'sender' }],
    ['room id as a number', { type: 'join', room: 12345, role: 'sender' }],
    ['peer id too long', { type: 'signal', to: `${PEER}A`, data: { candidate: null } }],
    ['malformed peer token', { type: 'join', room: ROOM, role: 'sender', peerToken: '../../etc/passwd' }],
    ['sdp of the wrong type', { type: 'signal', to: PEER, data: { description: { type: 'offer', sdp: 42 } } }],
    ['empty signal data', { type: 'signal', to: PEER, data: {} }],
  ])('%s', (_name, frame) => {
    expect(refusal(JSON.stringify(frame)).code).toBe('bad-frame');
  });

  test('__proto__ keys are unknown fields, not prototype changes', () => {
    const text = `{"type":"join","room":"${ROOM}","role":"sender","__proto__":{"admin":true}}`;
    expect(refusal(text).code).toBe('bad-frame');
    const nested = `{"type":"signal","to":"${PEER}","data":{"candidate":null,"__proto__":{"polluted":1}}}`;
    expect(refusal(nested).code).toBe('bad-frame');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('a frame over the cap is refused by its UTF-8 size, not its length in characters', () => {
    // 30,000 three-byte characters: under the cap in UTF-16 units, over it in UTF-8 bytes.
    const sdp = '✓'.repeat(30_000);
    const text = JSON.stringify({ type: 'signal', to: PEER, data: { description: { type: 'offer', sdp } } });
    expect(text.length).toBeLessThan(MAX_FRAME_BYTES);
    expect(refusal(text).code).toBe('too-large');
    expect(refusal('x'.repeat(MAX_FRAME_BYTES + 1)).code).toBe('too-large');
  });

  test('deep nesting is refused without a stack overflow', () => {
    const deep = `{"type":"signal","to":"${PEER}","data":{"description":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`;
    expect(refusal(deep).code).toBe('bad-frame');
  });

  test('a refusal says which field is wrong', () => {
    expect(refusal(JSON.stringify({ type: 'join', room: 'abc', role: 'sender' })).message).toMatch(/^room: /);
  });
});

test('server frames are validated too, so a bad server cannot confuse the client', () => {
  expect(parseServerFrame(JSON.stringify({ type: 'peer-left', peerId: PEER })).ok).toBe(true);
  expect(parseServerFrame(JSON.stringify({ type: 'error', code: 'made-up', message: 'x' })).ok).toBe(false);
});
