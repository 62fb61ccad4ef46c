import { expect, test } from 'vitest';
import { makeFile } from '../support/files.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';
import { saveAndVerify, shareFiles } from '../support/transfer-flow.ts';

// One receiver per test: a quota override stays with the browser that got it.
const peers = useTransferPeers(2);
const signal = useSignalServer();

test('a receiver without room says so clearly, and shows complete only what really arrived', async () => {
  const { sender, receiver, dir } = peers;
  const { server } = signal;
  const small = await makeFile(dir, 'note.txt', 'fits easily\n');
  const big = await makeFile(dir, 'movie.bin', 24 * 1024 * 1024);
  const cdp = await receiver.context.newCDPSession(receiver.page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: server.url, quotaSize: 2 * 1024 * 1024 });

  const link = await shareFiles(sender.page, server.url, [small, big]);
  await receiver.page.goto(link);

  await expect.poll(() => receiver.page.getByRole('alert').textContent(), { timeout: 60_000 }).toContain('no room left');
  const rows = receiver.page.getByTestId('file-row');
  await expect.poll(() => rows.filter({ hasText: big.name }).getAttribute('data-state')).toBe('failed');
  expect(await rows.filter({ hasText: big.name }).textContent()).toContain('no room left');
  // The small file went first and fit: it is complete, and really is.
  expect(await rows.filter({ hasText: small.name }).getAttribute('data-state')).toBe('complete');
  await saveAndVerify(receiver.page, [small], dir);

  // The sender is told rather than left waiting.
  await expect.poll(() => sender.page.getByTestId('receiver-row').getAttribute('data-state')).toBe('cancelled');
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
