import { describe, expect, test } from 'vitest';
import { parseShareLink, randomId, shareUrl } from '../../web/src/net/share-link.ts';

describe('share links', () => {
  test('a link made for a room parses back to the same room and secret', () => {
    const target = { room: randomId(), secret: randomId() };
    const url = new URL(shareUrl('https://drop.example', target));
    expect(url.pathname).toBe(`/r/${target.room}`);
    expect(parseShareLink(url.pathname, url.hash)).toEqual(target);
  });

  test('random ids are 128 bits of base64url', () => {
    const ids = new Set(Array.from({ length: 200 }, randomId));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  test.each([
    ['', ''],
    ['#k=short', ''],
    ['#x=BBBBBBBBBBBBBBBBBBBBBB', ''],
    ['#k=BBBBBBBBBBBBBBBBBBBBBB&pw=1', 'BBBBBBBBBBBBBBBBBBBBBB'],
  ])('a room link with the fragment "%s" opens with the secret "%s": a missing one fails the proof, and the page says why', (hash, secret) => {
    expect(parseShareLink('/r/AAAAAAAAAAAAAAAAAAAAAA', hash)).toEqual({ room: 'AAAAAAAAAAAAAAAAAAAAAA', secret });
  });

  test.each([
    ['/r/too-short', '#k=BBBBBBBBBBBBBBBBBBBBBB'],
    ['/r/AAAAAAAAAAAAAAAAAAAAAA/extra', '#k=BBBBBBBBBBBBBBBBBBBBBB'],
    ['/x/AAAAAAAAAAAAAAAAAAAAAA', '#k=BBBBBBBBBBBBBBBBBBBBBB'],
  ])('%s%s is not a valid link', (path, hash) => {
    expect(parseShareLink(path, hash)).toBeUndefined();
  });
});
