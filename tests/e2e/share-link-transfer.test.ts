import { expect, test } from 'vitest';
import { makeFile } from '../support/files.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';
import { saveAndVerify, shareFiles, waitForRows } from '../support/transfer-flow.ts';

const peers = useTransferPeers(1);
const signal = useSignalServer();

test('files sent through a share link arrive intact in a second browser', async () => {
  const { sender, receiver, dir } = peers;
  const { server } = signal;
  const files = [await makeFile(dir, 'random-20MiB.bin', 20 * 1024 * 1024), await makeFile(dir, '你好世界 notes.txt', '传输测试 — Dropline ✓\n')];

  const link = await shareFiles(sender.page, server.url, files);
  expect(link).toMatch(new RegExp(`^${server.url}/r/[A-Za-z0-9_-]{22}#k=[A-Za-z0-9_-]{22}$`));

  await receiver.page.goto(link);
  await waitForRows(receiver.page, files.length, 'complete');
  await saveAndVerify(receiver.page, files, dir);

  await expect.poll(() => sender.page.getByTestId('receiver-row').getAttribute('data-state')).toBe('done');
  expect(sender.errors).toEqual([]);
  expect(receiver.errors).toEqual([]);
});

test('a link whose room does not exist says so instead of waiting for ever', async () => {
  const { receiver } = peers;
  const { server } = signal;
  await receiver.page.goto(`${server.url}/r/AAAAAAAAAAAAAAAAAAAAAA#k=BBBBBBBBBBBBBBBBBBBBBB`);
  await expect.poll(() => receiver.page.getByRole('alert').textContent()).toContain('expired');
});
