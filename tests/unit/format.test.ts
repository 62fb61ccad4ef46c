import { expect, test } from 'vitest';
import { formatBytes, formatDuration } from '../../web/src/app/format.ts';

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
