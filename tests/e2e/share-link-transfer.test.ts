import { describe, expect, test } from 'vitest';
import type { Engine } from '../support/browser.ts';
import { makeFile } from '../support/files.ts';
import { waitForReceivers } from '../support/sender-view.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';
import { saveAndVerify, shareFiles, verificationCodes, waitForRows, receiveLink } from '../support/transfer-flow.ts';

const signal = useSignalServer();

// Every pairing of engines a person may meet: Firefox sends to Chromium and receives from it.
const pairings: Array<{ sender: Engine; receiver: Engine }> = [
  { sender: 'chromium', receiver: 'chromium' },
  { sender: 'firefox', receiver: 'chromium' },
  { sender: 'chromium', receiver: 'firefox' },
];

describe.each(pairings)('$sender to $receiver', ({ sender: senderEngine, receiver: receiverEngine }) => {
  const peers = useTransferPeers({ sender: senderEngine, receivers: [receiverEngine] });

  test('files sent through a share link arrive intact in a second browser', async () => {
    const { sender, receiver, dir } = peers;
    const { server } = signal;
    const files = [await makeFile(dir, 'random-20MiB.bin', 20 * 1024 * 1024), await makeFile(dir, '你好世界 notes.txt', '传输测试 — Dropline ✓\n')];

    const link = await shareFiles(sender, server.url, files);
    expect(link).toMatch(new RegExp(`^${server.url}/r/[A-Za-z0-9_-]{22}#k=[A-Za-z0-9_-]{22}$`));

    await receiveLink(receiver, link);
    await waitForRows(receiver, files.length, 'complete');
    await saveAndVerify(receiver, files);
    await waitForReceivers(sender, ['done']);
    // Both proved the link over this very connection: the two screens show the same code.
    const [shown, seen] = await Promise.all([verificationCodes(sender), verificationCodes(receiver)]);
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatch(/^Code \d{3} \d{3}$/);
    expect(seen).toEqual(shown);
  });

  test('a link whose room does not exist waits for the sender, saying it may have expired (it gives up after ROOM_WAIT_MS: tests/unit/signaling-client.test.ts)', async () => {
    const { receiver } = peers;
    await receiver.goto(`${signal.server.url}/r/AAAAAAAAAAAAAAAAAAAAAA#k=BBBBBBBBBBBBBBBBBBBBBB`);
    await receiver.waitFor(() => document.querySelector('[role="status"]')?.textContent?.includes('if the link has expired'), undefined, 30_000);
  });
});
