import { expect, test } from 'vitest';
import { makeFile } from '../support/files.ts';
import { waitForReceivers } from '../support/sender-view.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';
import { REDRAW_TIMEOUT_MS, receiveLink, shareFiles, waitForRows } from '../support/transfer-flow.ts';

const peers = useTransferPeers(1);
const signal = useSignalServer();

/**
 * The page believes it is in the background (a phone's person switched apps), and every notice it shows is
 * recorded, through the service worker's registration or the page's own Notification.
 */
function hiddenAndRecorded(): void {
  const notices: string[] = [];
  Object.assign(window, { __notices: notices });
  Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => 'hidden' });
  Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => true });
  const show = ServiceWorkerRegistration.prototype.showNotification;
  ServiceWorkerRegistration.prototype.showNotification = function (title: string, options?: NotificationOptions) {
    notices.push(`worker: ${title}: ${options?.body ?? ''}`);
    return show.call(this, title, options);
  };
  const PageNotification = window.Notification;
  window.Notification = class extends PageNotification {
    constructor(title: string, options?: NotificationOptions) {
      super(title, options);
      notices.push(`page: ${title}: ${options?.body ?? ''}`);
    }
  };
}

/** A screen wake lock that records when it is taken and released (headless Chromium's own would refuse). */
function recordedWakeLock(): void {
  const locks: string[] = [];
  Object.assign(window, { __locks: locks });
  const request = async (): Promise<unknown> => {
    locks.push('taken');
    const sentinel = {
      released: false,
      release: async () => {
        sentinel.released = true;
        locks.push('released');
      },
    };
    return sentinel;
  };
  Object.defineProperty(navigator, 'wakeLock', { configurable: true, value: { request } });
}

const locks = (peer: (typeof peers)['sender']): Promise<string[]> => peer.evaluate(() => (window as unknown as { __locks: string[] }).__locks, undefined);

// First: the later test's init scripts stay with the browsers and make their tabs look hidden.
test('the sender keeps the screen on while it sends, as the receiver does while files arrive, and both let go when done', async () => {
  const { sender, receiver, dir } = peers;
  for (const peer of [sender, receiver]) await peer.addInitScript(recordedWakeLock);
  const file = await makeFile(dir, 'long-film.mkv', 32 * 1024 * 1024);
  const link = await shareFiles(sender, signal.server.url, [file]);
  await receiver.goto(link);
  await receiver.waitFor(() => document.querySelector('[data-testid="accept"]'), undefined, REDRAW_TIMEOUT_MS);
  // Offered, not accepted: nothing is sent yet.
  expect(await locks(sender)).toEqual([]);
  await receiver.click('[data-testid="accept"]');
  await sender.waitFor(() => (window as unknown as { __locks: string[] }).__locks.includes('taken'), undefined, REDRAW_TIMEOUT_MS);
  await waitForRows(receiver, 1, 'complete');
  await waitForReceivers(sender, ['done'], REDRAW_TIMEOUT_MS);
  await expect.poll(() => locks(sender), { timeout: REDRAW_TIMEOUT_MS }).toEqual(['taken', 'released']);
  await expect.poll(() => locks(receiver), { timeout: REDRAW_TIMEOUT_MS }).toEqual(['taken', 'released']);
});

const notices = (peer: (typeof peers)['sender']): Promise<string[]> => peer.evaluate(() => (window as unknown as { __notices: string[] }).__notices, undefined);

test('with permission and the tab hidden, each side is told once when the files are through', async () => {
  const { sender, receiver, dir } = peers;
  for (const peer of [sender, receiver]) {
    await peer.context.grantPermissions(['notifications']);
    await peer.addInitScript(hiddenAndRecorded);
  }
  const files = [await makeFile(dir, 'holiday.mov', 3 * 1024 * 1024), await makeFile(dir, 'notes.txt', 'see you soon\n')];
  const link = await shareFiles(sender, signal.server.url, files);
  await receiveLink(receiver, link);
  await waitForRows(receiver, 2, 'complete');
  await waitForReceivers(sender, ['done'], REDRAW_TIMEOUT_MS);

  const told = (list: string[]): string[] => list.map((notice) => notice.replace(/^(worker|page): /, ''));
  await expect.poll(async () => told(await notices(receiver)), { timeout: REDRAW_TIMEOUT_MS }).toEqual(['Files received: All files arrived and were verified.']);
  await expect.poll(async () => told(await notices(sender)), { timeout: REDRAW_TIMEOUT_MS }).toEqual(['Files delivered: A receiver got every file.']);
});
