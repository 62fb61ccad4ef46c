import { afterEach, beforeEach, expect, test, vi } from 'vitest';

type Permission = 'default' | 'granted' | 'denied';

/** A fake Notification constructor: records what was shown and how often permission was asked. */
function fakeNotifications(permission: Permission, answer: Permission = permission) {
  const shown: Array<{ title: string; options: NotificationOptions | undefined; onclick: (() => void) | null; closed: boolean }> = [];
  const asked: Permission[] = [];
  const Fake = class {
    static permission = permission;
    static requestPermission = async (): Promise<Permission> => {
      asked.push(answer);
      Fake.permission = answer;
      return answer;
    };
    onclick: (() => void) | null = null;
    closed = false;
    constructor(title: string, options?: NotificationOptions) {
      shown.push(Object.assign(this, { title, options }));
    }
    close(): void {
      this.closed = true;
    }
  };
  vi.stubGlobal('Notification', Fake);
  return { shown, asked };
}

function fakePage(visibilityState: 'visible' | 'hidden', registration?: { showNotification: (title: string, options?: NotificationOptions) => Promise<void> }) {
  const focus = vi.fn();
  vi.stubGlobal('document', { visibilityState });
  vi.stubGlobal('location', { href: 'https://drop.example/r/room#k=secret' });
  vi.stubGlobal('window', { focus });
  vi.stubGlobal('navigator', registration === undefined ? {} : { serviceWorker: { getRegistration: async () => registration } });
  return { focus };
}

// The module asks once per page: each test loads a fresh page's copy.
const load = () => import('../../web/src/app/finished-notice.ts');
beforeEach(() => vi.resetModules());
afterEach(() => vi.unstubAllGlobals());

test('permission is asked once, and only while the person was never asked', async () => {
  const { askToNotify } = await load();
  const { asked } = fakeNotifications('default', 'default');
  fakePage('visible');
  askToNotify();
  askToNotify(); // a dismissed prompt stays `default`: not asked again on the next share
  expect(asked).toHaveLength(1);

  vi.resetModules();
  const again = await load();
  const decided = fakeNotifications('denied');
  again.askToNotify();
  expect(decided.asked).toHaveLength(0);
});

test('a hidden tab is told through the service worker when there is one, with the page to go back to', async () => {
  const { notifyFinished } = await load();
  const { shown } = fakeNotifications('granted');
  const calls: Array<[string, NotificationOptions | undefined]> = [];
  fakePage('hidden', { showNotification: async (title, options) => void calls.push([title, options]) });
  await notifyFinished('Files received', 'All files arrived and were verified.');
  expect(calls).toEqual([['Files received', expect.objectContaining({ body: 'All files arrived and were verified.', data: { url: 'https://drop.example/r/room#k=secret' } })]]);
  expect(shown).toHaveLength(0);
});

test('without a service worker, a page notice that brings the tab to the front when clicked', async () => {
  const { notifyFinished } = await load();
  const { shown } = fakeNotifications('granted');
  const { focus } = fakePage('hidden');
  await notifyFinished('Files delivered', 'A receiver got every file.');
  expect(shown.map((n) => n.title)).toEqual(['Files delivered']);
  shown[0]!.onclick?.();
  expect(focus).toHaveBeenCalledOnce();
  expect(shown[0]!.closed).toBe(true);
});

test('nothing is shown while the tab is in sight, without permission, or without the API', async () => {
  const { notifyFinished } = await load();
  const showNotification = vi.fn(async () => undefined);
  const visible = fakeNotifications('granted');
  fakePage('visible', { showNotification });
  await notifyFinished('Files received', '…');
  expect(visible.shown).toHaveLength(0);

  const denied = fakeNotifications('denied');
  fakePage('hidden', { showNotification });
  await notifyFinished('Files received', '…');
  expect(denied.shown).toHaveLength(0);
  expect(showNotification).not.toHaveBeenCalled();

  vi.stubGlobal('Notification', undefined);
  await expect(notifyFinished('Files received', '…')).resolves.toBeUndefined();
});
