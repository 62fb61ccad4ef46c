import { describe, expect, it } from 'vitest';
import { nextChoice, readChoice, resolveScheme, THEME_KEY } from '../../web/src/app/theme.ts';
import { FileAnnouncer } from '../../web/src/app/file-announcer.ts';
import type { FileState } from '../../web/src/transfer/receiver.ts';

describe('theme choice', () => {
  const storage = (value: string | null) => ({ getItem: (key: string) => (key === THEME_KEY ? value : null) });

  it('reads a stored choice, and follows the system for anything else or when storage is refused', () => {
    expect(readChoice(storage('dark'))).toBe('dark');
    expect(readChoice(storage('light'))).toBe('light');
    expect(readChoice(storage('system'))).toBe('system');
    expect(readChoice(storage(null))).toBe('system');
    expect(readChoice(storage('sepia'))).toBe('system');
    expect(readChoice(undefined)).toBe('system');
    expect(
      readChoice({
        getItem: () => {
          throw new DOMException('blocked', 'SecurityError');
        },
      }),
    ).toBe('system');
  });

  it('resolves System by the device, and cycles System, Light, Dark', () => {
    expect(resolveScheme('system', true)).toBe('dark');
    expect(resolveScheme('system', false)).toBe('light');
    expect(resolveScheme('light', true)).toBe('light');
    expect(resolveScheme('dark', false)).toBe('dark');
    expect([nextChoice('system'), nextChoice('light'), nextChoice('dark')]).toEqual(['light', 'dark', 'system']);
  });
});

describe('file announcements', () => {
  const files = (...states: FileState[]) => states.map((state, i) => ({ entry: { name: `f${i}` }, state }));
  const label = (state: FileState) => state;
  const more = (count: number) => `and ${count} more`;

  it('says nothing about progress, and names each file once when it is over', () => {
    const announcer = new FileAnnouncer();
    expect(announcer.update(files(), label, more)).toBeUndefined();
    expect(announcer.update(files('waiting', 'waiting'), label, more)).toBeUndefined();
    expect(announcer.update(files('receiving', 'waiting'), label, more)).toBeUndefined();
    expect(announcer.update(files('complete', 'receiving'), label, more)).toBe('f0: complete');
    expect(announcer.update(files('complete', 'receiving'), label, more)).toBeUndefined();
    expect(announcer.update(files('complete', 'failed'), label, more)).toBe('f1: failed');
  });

  it('does not announce files already over when the view opens, and counts rather than names a crowd', () => {
    const announcer = new FileAnnouncer();
    expect(announcer.update(files('complete', 'waiting', 'waiting', 'waiting', 'waiting', 'waiting'), label, more)).toBeUndefined();
    expect(announcer.update(files('complete', 'complete', 'complete', 'cancelled', 'complete', 'complete'), label, more)).toBe(
      'f1: complete. f2: complete. f3: cancelled. and 2 more',
    );
  });
});
