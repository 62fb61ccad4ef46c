import { expect, test } from 'vitest';
import { formatBytes, formatDaysAgo, formatDuration } from '../../web/src/app/format.ts';

test('sizes use decimal units with sensible precision', () => {
  expect(formatBytes(0)).toBe('0 B');
  expect(formatBytes(999)).toBe('999 B');
  expect(formatBytes(1500)).toBe('1.50 KB');
  expect(formatBytes(25_200_000)).toBe('25.2 MB');
  expect(formatBytes(4 * 1024 ** 3)).toBe('4.29 GB');
});

test('time left reads like a person would say it', () => {
  expect(formatDuration(undefined)).toBe('');
  expect(formatDuration(0.2)).toBe('1 s left');
  expect(formatDuration(42)).toBe('42 s left');
  expect(formatDuration(600)).toBe('10 min left');
  expect(formatDuration(3 * 3600 + 5 * 60)).toBe('3 h 5 min left');
});

test('last touched reads in whole days', () => {
  const day = 24 * 60 * 60 * 1000;
  const now = Date.UTC(2026, 0, 10, 12);
  expect(formatDaysAgo(now - 1000, now)).toBe('today');
  expect(formatDaysAgo(now - day - 1000, now)).toBe('yesterday');
  expect(formatDaysAgo(now - 9 * day, now)).toBe('9 days ago');
});
