import { expect, test } from 'vitest';
import { makeFile } from '../support/files.ts';
import { recordConnections, trafficSeen } from '../support/peer-connections.ts';
import { waitForReceivers } from '../support/sender-view.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';
import { REDRAW_TIMEOUT_MS, readShareLink, receiveLink, saveAndVerify, waitForRows } from '../support/transfer-flow.ts';

const peers = useTransferPeers(1);
const signal = useSignalServer();

const TEXT = '会议改到周五下午三点 🎉👩🏽‍💻\n地址：https://example.test/会议?room=3&lang=zh — 别迟到！\n\ttabs, "quotes" <b>not bold</b>';

/** The shared text exactly as the receive view holds it, and whether any link in it became clickable. */
const sharedText = (peer: typeof peers.receiver) =>
  peer.evaluate(() => {
    const shown = document.querySelector('[data-testid="shared-text"]');
    return { text: shown?.textContent ?? null, links: shown?.querySelectorAll('a').length ?? -1 };
  }, undefined);

test('a text with Chinese and emoji shared beside a file arrives exactly, as plain text, and Copy copies it', async () => {
  const { sender, receiver, dir } = peers;
  const file = await makeFile(dir, 'agenda.pdf', 200_000);
  await Promise.all([recordConnections(sender), recordConnections(receiver)]);
  await sender.goto(signal.server.url);
  await sender.page.getByTestId('share-text-input').fill(TEXT);
  await sender.pickFiles([file.path]);
  await sender.waitFor(() => document.querySelector('[data-testid="share-link"]'), undefined, REDRAW_TIMEOUT_MS);
  const link = await readShareLink(sender);
  await receiveLink(receiver, link);
  await waitForRows(receiver, 1, 'complete');
  await receiver.waitFor(() => document.querySelector('[data-testid="shared-text"]'), undefined, REDRAW_TIMEOUT_MS);
  expect(await sharedText(receiver)).toEqual({ text: TEXT, links: 0 });
  await saveAndVerify(receiver, [file]);
  // Every signaling frame and DataChannel text both pages saw: the snippet is only ever in the channel's `text` message.
  const carrying = [...(await trafficSeen(sender)).texts, ...(await trafficSeen(receiver)).texts].filter((t) => t.includes(JSON.stringify(TEXT).slice(1, 12)));
  expect(carrying.length).toBeGreaterThan(0);
  expect(carrying.every((t) => t.startsWith('{"type":"text"'))).toBe(true);

  await receiver.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: signal.server.url });
  await receiver.click('[data-testid="copy-text"]');
  await receiver.page.getByText('Copied.').waitFor({ timeout: REDRAW_TIMEOUT_MS });
  expect(await receiver.evaluate(() => navigator.clipboard.readText(), undefined)).toBe(TEXT);
  await waitForReceivers(sender, ['done']);
});

test('a text on its own is offered as a text and arrives; one over the limit is refused with a clear error', async () => {
  const { sender, receiver } = peers;
  await sender.goto(signal.server.url);
  const input = sender.page.getByTestId('share-text-input');
  await input.fill('字'.repeat(12_000));
  await sender.page.getByRole('alert').filter({ hasText: 'The text is too long to share: 36 KiB, at most 32 KiB.' }).waitFor({ timeout: REDRAW_TIMEOUT_MS });
  expect(await sender.page.getByTestId('share-text').isDisabled()).toBe(true);

  await input.fill(TEXT);
  await sender.click('[data-testid="share-text"]');
  await sender.waitFor(() => document.querySelector('[data-testid="share-link"]'), undefined, REDRAW_TIMEOUT_MS);
  const link = await readShareLink(sender);
  await receiver.goto(link);
  await receiver.page.getByTestId('offer').filter({ hasText: 'A text.' }).waitFor({ timeout: 60_000 });
  await receiver.click('[data-testid="accept"]');
  await receiver.page.getByRole('status').filter({ hasText: 'The text arrived.' }).waitFor({ timeout: REDRAW_TIMEOUT_MS });
  expect(await sharedText(receiver)).toEqual({ text: TEXT, links: 0 });
  await waitForReceivers(sender, ['done']);
});
