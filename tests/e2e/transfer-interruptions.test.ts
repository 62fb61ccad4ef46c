import { expect, test } from 'vitest';
import { makeFile } from '../support/files.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';
import { saveAndVerify, shareFiles } from '../support/transfer-flow.ts';

// One receiver per test: a quota override stays with the browser that got it.
const peers = useTransferPeers(2);
const signal = useSignalServer();

test('a receiver without room pauses with a clear message, shows complete only what arrived, and finishes once there is room', async () => {
  const { sender, receiver, dir } = peers;
  const { server } = signal;
  const small = await makeFile(dir, 'note.txt', 'fits easily\n');
  const big = await makeFile(dir, 'movie.bin', 24 * 1024 * 1024);
  const cdp = await receiver.context.newCDPSession(receiver.page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: server.url, quotaSize: 2 * 1024 * 1024 });

  // Counts the app's requests for persistent storage, which the browser may answer with more room.
  await receiver.context.addInitScript(() => {
    const persist = StorageManager.prototype.persist;
    const counted = window as unknown as { persistRequests: number };
    counted.persistRequests = 0;
    StorageManager.prototype.persist = function (this: StorageManager) {
      counted.persistRequests++;
      return persist.call(this);
    };
  });
  const link = await shareFiles(sender.page, server.url, [small, big]);
  await receiver.page.goto(link);

  const alert = receiver.page.getByRole('alert');
  await expect.poll(() => alert.textContent(), { timeout: 60_000 }).toContain('no room left');
  const rows = receiver.page.getByTestId('file-row');
  const bigRow = rows.filter({ hasText: big.name });
  // Paused is not complete: the row says so, within the public data-state values.
  await expect.poll(() => bigRow.getAttribute('data-state')).toBe('failed');
  expect(await bigRow.textContent()).toContain('Paused');
  expect(await bigRow.getByTestId('save').isDisabled()).toBe(true);
  // The small file went first and fit: it is complete, and really is. Its verification may finish just after the
  // pause (it waits for the batch writes in flight, the one that failed among them) and is drawn at the next redraw.
  await expect.poll(() => rows.filter({ hasText: small.name }).getAttribute('data-state')).toBe('complete');
  await saveAndVerify(receiver.page, [small], dir);
  // Once when receiving began, once more on running out of room.
  expect(await receiver.page.evaluate(() => (window as unknown as { persistRequests: number }).persistRequests)).toBeGreaterThanOrEqual(2);
  // The sender is told, and waits rather than giving up.
  await expect.poll(() => sender.page.getByTestId('receiver-row').getAttribute('data-state')).toBe('paused');
  expect(await sender.page.getByTestId('receiver-row').textContent()).toContain('out of storage space');

  // Space is freed; the person presses Try again and the rest arrives, verified.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: server.url, quotaSize: 512 * 1024 * 1024 });
  await alert.getByRole('button', { name: 'Try again' }).click();
  await expect.poll(() => bigRow.getAttribute('data-state'), { timeout: 120_000 }).toBe('complete');
  await saveAndVerify(receiver.page, [small, big], dir);
  await expect.poll(() => sender.page.getByTestId('receiver-row').getAttribute('data-state')).toBe('done');
});

test('when the sender leaves mid-file the receiver says so and shows nothing unfinished as complete', async () => {
  const { sender, receivers, dir } = peers;
  const { server } = signal;
  const receiver = receivers[1]!;
  const small = await makeFile(dir, 'first.txt', 'arrives whole\n');
  const big = await makeFile(dir, 'interrupted.bin', 200 * 1024 * 1024);
  const link = await shareFiles(sender.page, server.url, [small, big]);
  await receiver.page.goto(link);
  const rows = receiver.page.getByTestId('file-row');
  await expect.poll(() => rows.filter({ hasText: big.name }).getAttribute('data-state'), { timeout: 60_000 }).toBe('receiving');

  await sender.page.goto('about:blank');

  await expect.poll(() => receiver.page.getByRole('alert').textContent(), { timeout: 60_000 }).toContain('before every file arrived');
  expect(await rows.filter({ hasText: big.name }).getAttribute('data-state')).toBe('failed');
  expect(await rows.filter({ hasText: small.name }).getAttribute('data-state')).toBe('complete');
  await saveAndVerify(receiver.page, [small], dir);
});
