import { describe, expect, test } from 'vitest';
import type { Engine, Peer } from '../support/browser.ts';
import { launchChromium } from '../support/chromium.ts';
import { makeFile, type SourceFile } from '../support/files.ts';
import { recordConnections, trafficSeen } from '../support/peer-connections.ts';
import { receiverStates, waitForReceivers } from '../support/sender-view.ts';
import { useSignalServer, useTransferPeers } from '../support/transfer-peers.ts';
import { REDRAW_TIMEOUT_MS, saveAndVerify, shareFiles, waitForAlert, waitForRows, receiveLink, acceptOffer } from '../support/transfer-flow.ts';

const signal = useSignalServer();

/** A refused page may receive the hellos, proofs and refusal: a few hundred bytes. Nothing of a file fits in it. */
const HANDSHAKE_BYTES_AT_MOST = 4 * 1024;

/** Opens `link` on a fresh Chromium that records its traffic, waits for its alert, and returns what it saw. */
async function refusedVisit(link: string, alert: string): Promise<{ text: string; bodyText: string; received: number; binary: number; texts: string[] }> {
  const visitor = await launchChromium();
  try {
    await recordConnections(visitor);
    await visitor.goto(link);
    const text = await waitForAlert(visitor, alert);
    const traffic = await trafficSeen(visitor);
    const bodyText = await visitor.evaluate(() => document.body.innerText, undefined);
    expect(visitor.errors).toEqual([]);
    return { text, bodyText, received: traffic.dataChannelBytesReceived, binary: traffic.binaryMessagesReceived, texts: traffic.texts };
  } finally {
    await visitor.close();
  }
}

/** The link with its secret replaced (or cut off, for `undefined`). */
const withSecret = (link: string, secret: string | undefined): string => link.replace(/#k=.*$/, secret === undefined ? '' : `#k=${secret}`);

describe.each<Engine>(['chromium', 'firefox'])('a %s sender', (senderEngine) => {
  const peers = useTransferPeers({ sender: senderEngine, receivers: ['chromium'] });
  let files: SourceFile[];
  let link: string;

  test.each([
    // Each case its own file: the same file picked again in this browser would continue the first case's share.
    ['a wrong secret', 'AAAAAAAAAAAAAAAAAAAAAA', 'incomplete, or someone tampered', 'quarterly-secret-plan.pdf'],
    ['no secret at all', undefined, 'the part after #k= is missing', 'annual-secret-plan.pdf'],
  ])('refuses a receiver with %s: it learns no file name and gets no file bytes; an honest receiver still completes', async (_, secret, alert, name) => {
    const { sender, receiver, dir } = peers;
    files = [await makeFile(dir, name, 2 * 1024 * 1024)];
    link = await shareFiles(sender, signal.server.url, files);

    const visit = await refusedVisit(withSecret(link, secret), alert);
    expect(visit.bodyText).not.toContain(files[0]!.name);
    expect(visit.texts.join('\n')).not.toContain(files[0]!.name);
    expect(visit.binary).toBe(0);
    expect(visit.received).toBeLessThanOrEqual(HANDSHAKE_BYTES_AT_MOST);
    // The sender saw the attempt and refused it: its row says so.
    await waitForReceivers(sender, ['refused'], REDRAW_TIMEOUT_MS);

    // The share goes on for whoever has the whole link.
    await receiveLink(receiver, link);
    await waitForRows(receiver, files.length, 'complete');
    await saveAndVerify(receiver, files);
    await sender.waitFor(() => document.querySelector('[data-testid="receiver-row"][data-state="done"]'), undefined, REDRAW_TIMEOUT_MS);
    expect(await receiverStates(sender)).toEqual(['refused', 'done']);
  });
});

/** Fills the text field `testId` once it is shown, as typing would (an input event the view binds to). */
async function fill(peer: Peer, testId: string, text: string): Promise<void> {
  await peer.waitFor((testId) => document.querySelector(`[data-testid="${testId}"]`), testId, 30_000);
  await peer.evaluate(
    ({ testId, text }) => {
      const input = document.querySelector<HTMLInputElement>(`[data-testid="${testId}"]`)!;
      input.value = text;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    },
    { testId, text },
  );
}

/** Types `password` into the receive view's password field and submits it. */
async function typePassword(peer: Peer, password: string): Promise<void> {
  await fill(peer, 'password', password);
  await peer.click('form.password button[type="submit"]');
}

/** Gives the open share a password through the send view. */
async function setSharePassword(sender: Peer, password: string): Promise<void> {
  await sender.click('.password .linkish');
  await fill(sender, 'share-password', password);
  await sender.click('.password button[type="submit"]');
  await sender.waitFor(() => document.querySelector('.password')?.textContent?.includes('Password set'), undefined, REDRAW_TIMEOUT_MS);
}

describe.each<{ sender: Engine; receiver: Engine }>([
  { sender: 'chromium', receiver: 'chromium' },
  { sender: 'chromium', receiver: 'firefox' },
])('a share with a password, $sender to $receiver', ({ sender: senderEngine, receiver: receiverEngine }) => {
  const peers = useTransferPeers({ sender: senderEngine, receivers: [receiverEngine, 'chromium'] });
  const PASSWORD = 'blue-otter-42 ✓';

  test('the right password after a wrong one receives the files; the password never crosses the network', async () => {
    const { sender, receiver, dir } = peers;
    await Promise.all([recordConnections(sender), recordConnections(receiver)]);
    const files = [await makeFile(dir, 'contract.pdf', 3 * 1024 * 1024)];
    const link = await shareFiles(sender, signal.server.url, files);
    await setSharePassword(sender, PASSWORD);

    await receiver.goto(link);
    await typePassword(receiver, 'not it');
    await waitForAlert(receiver, 'Wrong password. 4 tries left.', 30_000);
    expect(await receiver.evaluate(() => document.body.innerText, undefined)).not.toContain('contract.pdf');
    await typePassword(receiver, PASSWORD);
    await acceptOffer(receiver);
    await waitForRows(receiver, files.length, 'complete');
    await saveAndVerify(receiver, files);
    await waitForReceivers(sender, ['done']);

    // Every signaling frame and every DataChannel text, both pages: no form of the password is in any.
    const wire = [...(await trafficSeen(sender)).texts, ...(await trafficSeen(receiver)).texts].join('\n');
    expect(wire).toContain('"type":"pake"');
    const bytes = Buffer.from(PASSWORD);
    for (const form of [PASSWORD, JSON.stringify(PASSWORD).slice(1, -1), bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')]) {
      expect(wire).not.toContain(form);
    }
  });

  test('six wrong passwords: after the fifth the sender refuses this receiver for good', async () => {
    const { sender, receivers, dir } = peers;
    const guesser = receivers[1]!;
    const link = await shareFiles(sender, signal.server.url, [await makeFile(dir, 'ledger.xlsx', 100_000)]);
    await setSharePassword(sender, PASSWORD);
    await guesser.goto(link);
    for (let left = 4; left >= 1; left--) {
      await typePassword(guesser, `guess ${left}`);
      await waitForAlert(guesser, `Wrong password. ${left} ${left === 1 ? 'try' : 'tries'} left.`, 30_000);
    }
    await typePassword(guesser, 'guess 0');
    await waitForAlert(guesser, 'Too many wrong passwords', 30_000);
    // A sixth try has nowhere to go: the page no longer asks.
    expect(await guesser.evaluate(() => document.querySelector('[data-testid="password"]') === null, undefined)).toBe(true);
    await waitForReceivers(sender, ['refused'], REDRAW_TIMEOUT_MS);
    expect(await sender.evaluate(() => document.querySelector('[data-testid="receiver-row"]')?.textContent ?? '', undefined)).toContain('too many wrong passwords');
  });
});
