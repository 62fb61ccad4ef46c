import { afterEach, expect, test, vi } from 'vitest';
import { ScreenAwake } from '../../web/src/app/screen-awake.ts';

class FakeLock {
  released = false;
  release = async (): Promise<void> => void (this.released = true);
}

afterEach(() => vi.unstubAllGlobals());

test('the screen lock is held while wanted, taken again when the tab comes back, and released at the end', async () => {
  const locks: FakeLock[] = [];
  const events = new EventTarget();
  const page = Object.assign(events, { visibilityState: 'visible' });
  vi.stubGlobal('document', page);
  vi.stubGlobal('navigator', { wakeLock: { request: async () => (locks.push(new FakeLock()), locks.at(-1)) } });
  const awake = new ScreenAwake();
  awake.set(true);
  await vi.waitFor(() => expect(locks).toHaveLength(1));
  // Hidden, the browser drops it; visible again, it is taken anew.
  locks[0]!.released = true;
  page.dispatchEvent(new Event('visibilitychange'));
  await vi.waitFor(() => expect(locks).toHaveLength(2));
  awake.set(false);
  expect(locks[1]!.released).toBe(true);
  page.dispatchEvent(new Event('visibilitychange'));
  await Promise.resolve();
  expect(locks).toHaveLength(2);
});

test('without the API, or refused, nothing happens', async () => {
  vi.stubGlobal('document', new EventTarget());
  vi.stubGlobal('navigator', { wakeLock: { request: () => Promise.reject(new DOMException('no', 'NotAllowedError')) } });
  const awake = new ScreenAwake();
  awake.set(true);
  await Promise.resolve();
  expect(() => awake.set(false)).not.toThrow();
  vi.stubGlobal('navigator', {});
  expect(() => awake.set(true)).not.toThrow();
  awake.set(false);
});
