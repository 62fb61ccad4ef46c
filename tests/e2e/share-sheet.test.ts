import { expect, test } from 'vitest';
import { makeFile } from '../support/files.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';
import { shareFiles } from '../support/transfer-flow.ts';

const peers = useTransferPeers(0);
const signal = useSignalServer();

/** A share sheet as a phone has one (desktop Linux Chromium has none): records what it is handed. */
function phoneShareSheet(): void {
  const shared: ShareData[] = [];
  Object.assign(window, { __shared: shared });
  Object.assign(navigator, { share: async (data: ShareData) => void shared.push(data), canShare: (data: ShareData) => typeof data.url === 'string' });
}

test('Share… is offered beside Copy only where the browser has a share sheet, and hands it the link', async () => {
  const { sender, dir } = peers;
  await shareFiles(sender, signal.server.url, [await makeFile(dir, 'first.txt', 'one\n')]);
  expect(await sender.page.getByTestId('share-sheet').count()).toBe(0);

  await sender.addInitScript(phoneShareSheet);
  const link = await shareFiles(sender, signal.server.url, [await makeFile(dir, 'second.txt', 'two\n')]);
  await sender.click('[data-testid="share-sheet"]');
  const shared = await sender.evaluate(() => (window as unknown as { __shared: ShareData[] }).__shared, undefined);
  expect(shared).toEqual([{ title: 'Files for you', url: link }]);
});
