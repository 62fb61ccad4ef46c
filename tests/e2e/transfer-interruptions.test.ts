import { describe, expect, test } from 'vitest';
import type { Engine } from '../support/browser.ts';
import type { ChromiumPeer } from '../support/chromium.ts';
import { makeFile } from '../support/files.ts';
import { receiverText, waitForReceivers } from '../support/sender-view.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';
import { REDRAW_TIMEOUT_MS, canSave, rowText, saveAndVerify, shareFiles, waitForAlert, waitForRow, receiveLink } from '../support/transfer-flow.ts';

const signal = useSignalServer();

describe.each<Engine>(['chromium', 'firefox'])('from a %s sender to a Chromium receiver without room', (senderEngine) => {
  const peers = useTransferPeers({ sender: senderEngine, receivers: ['chromium'] });

  test('the receiver pauses with a clear message, shows complete only what arrived, and finishes once there is room', async () => {
    const { sender, dir } = peers;
    const receiver = peers.receiver as ChromiumPeer;
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
    const link = await shareFiles(sender, server.url, [small, big]);
    await receiveLink(receiver, link);

    await waitForAlert(receiver, 'no room left', 60_000);
    // Paused is not over: the row keeps its place among waiting and receiving, says Paused, and cannot be saved.
    expect(['waiting', 'receiving']).toContain(await receiver.evaluate(() => document.querySelector('[data-name="movie.bin"]')?.getAttribute('data-state'), undefined));
    expect(await rowText(receiver, big.name)).toContain('Paused');
    expect(await canSave(receiver, big.name)).toBe(false);
    // The small file went first and fit: it is complete, and really is. Its verification may finish just after the
    // pause (it waits for the batch writes in flight, the one that failed among them) and is drawn at the next redraw.
    await waitForRow(receiver, small.name, 'complete');
    await saveAndVerify(receiver, [small]);
    // Once when receiving began, once more on running out of room.
    expect(await receiver.evaluate(() => (window as unknown as { persistRequests: number }).persistRequests, undefined)).toBeGreaterThanOrEqual(2);
    // The sender is told, and waits rather than giving up.
    await waitForReceivers(sender, ['paused']);
    expect(await receiverText(sender)).toContain('out of storage space');

    // Space is freed; the person presses Try again and the rest arrives, verified.
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: server.url, quotaSize: 512 * 1024 * 1024 });
    await receiver.click('[role="alert"] button');
    await waitForRow(receiver, big.name, 'complete');
    await saveAndVerify(receiver, [big]);
    await waitForReceivers(sender, ['done']);
  });
});

const vanishing: Array<{ sender: Engine; receiver: Engine }> = [
  { sender: 'chromium', receiver: 'chromium' },
  { sender: 'firefox', receiver: 'chromium' },
  { sender: 'chromium', receiver: 'firefox' },
];

describe.each(vanishing)('$sender sender leaving a $receiver receiver', ({ sender: senderEngine, receiver: receiverEngine }) => {
  const peers = useTransferPeers({ sender: senderEngine, receivers: [receiverEngine] });

  test('when the sender leaves mid-file the receiver pauses and says so: nothing unfinished complete, nothing failed', async () => {
    const { sender, receiver, dir } = peers;
    const small = await makeFile(dir, 'first.txt', 'arrives whole\n');
    const big = await makeFile(dir, 'interrupted.bin', 200 * 1024 * 1024);
    const link = await shareFiles(sender, signal.server.url, [small, big]);
    await receiveLink(receiver, link);
    await waitForRow(receiver, big.name, 'receiving', 60_000);

    await sender.goto('about:blank');

    await receiver.waitFor(() => document.querySelector('[role="status"]')?.textContent?.startsWith('Paused'), undefined, 60_000).catch(async (error: unknown) => {
      throw new Error(`no pause shown; status: ${await receiver.evaluate(() => document.querySelector('[role="status"]')?.textContent, undefined)}\n${String(error)}`);
    });
    // Paused, not over: the big file keeps its place and its bytes, waiting for the sender to come back.
    await waitForRow(receiver, big.name, 'receiving', REDRAW_TIMEOUT_MS);
    expect(await canSave(receiver, big.name)).toBe(false);
    await waitForRow(receiver, small.name, 'complete', REDRAW_TIMEOUT_MS);
    await saveAndVerify(receiver, [small]);
  });
});
