import { expect, test } from 'vitest';
import { TokenBucket } from '../../signal/limits/token-bucket.ts';
import { IpRoomQuota } from '../../signal/limits/ip-room-quota.ts';

test('a token bucket passes a burst, refuses past it, and refills at its rate', () => {
  let now = 0;
  const bucket = new TokenBucket(10, 3, () => now);
  expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  now += 100; // one token's worth at 10 a second
  expect([bucket.take(), bucket.take()]).toEqual([true, false]);
  now += 10_000; // never more than the burst, however long it rested
  expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
});

test('an address is in at most N distinct rooms; more sockets in one room are free, and leaving frees a place', () => {
  const quota = new IpRoomQuota(2);
  expect(quota.acquire('10.0.0.1', 'a')).toBe(true);
  expect(quota.acquire('10.0.0.1', 'a')).toBe(true);
  expect(quota.acquire('10.0.0.1', 'b')).toBe(true);
  expect(quota.acquire('10.0.0.1', 'c')).toBe(false);
  expect(quota.acquire('10.0.0.2', 'c')).toBe(true);
  quota.release('10.0.0.1', 'a');
  expect(quota.acquire('10.0.0.1', 'c')).toBe(false);
  quota.release('10.0.0.1', 'a');
  expect(quota.acquire('10.0.0.1', 'c')).toBe(true);
  quota.release('10.0.0.9', 'never-acquired');
});
