/**
 * The resume cases of the e2e suite as steps the bench can run too: a transfer through the UI between separate
 * Chromium processes, broken at about half-way (the receiver reloads, the sender reloads, the receiving browser is
 * killed, the relay dies, the signaler restarts), then finished and checked: every row complete, the saved file's SHA-256 equal to
 * the source's. Each case returns the bytes sent again, read from the receiving page's DataChannels.
 */
import { DEFAULT_WINDOW_BYTES } from '../../web/src/transfer/sender.ts';
import type { ChromiumPeer } from './chromium.ts';
import type { SourceFile } from './files.ts';
import { recordConnections, trafficSeen, waitForJoins } from './peer-connections.ts';
import { waitForNewestReceiver, waitForReceivers } from './sender-view.ts';
import type { RunningServer } from './signal-server.ts';
import { readShareLink, REDRAW_TIMEOUT_MS, rowSelector, saveAndVerify, shareFiles, TRANSFER_TIMEOUT_MS, waitForRows, receiveLink } from './transfer-flow.ts';
import type { RunningTurn } from './turn-server.ts';

export const MiB = 1024 * 1024;
/** The sender's credit window: the most a resume may send again. */
export const WINDOW_BYTES = DEFAULT_WINDOW_BYTES;
/** How long the relay stays dead in the network fault: the outage itself, what the case is about, not a wait for a state. */
const RELAY_OUTAGE_MS = 5_000;
/** How long a reconnect (to the signaler, or ICE over a relay that is back) may take on a slow shared machine. */
const RECONNECT_TIMEOUT_MS = 60_000;

export interface ResumeOutcome {
  /** How much of the file the receiver held when the transfer resumed (0 when it never restarted from storage). */
  heldFraction: number;
  /** Bytes that arrived beyond what the receiver was missing: what was sent again. */
  resentBytes: number;
}

/** Shares `file` from `sender`, opens the link on `receiver`, and returns once the receiver shows `fraction` of it stored. */
async function transferUntil(sender: ChromiumPeer, receiver: ChromiumPeer, serverUrl: string, file: SourceFile, fraction: number): Promise<string> {
  await recordConnections(receiver);
  const link = await shareFiles(sender, serverUrl, [file]);
  await receiveLink(receiver, link);
  await waitForStored(receiver, file, fraction);
  return link;
}

/** Waits until the receive view's bar for `file` shows at least `fraction` of it stored. */
export async function waitForStored(receiver: ChromiumPeer, file: SourceFile, fraction: number): Promise<void> {
  await receiver.waitFor(
    ({ selector, fraction }) => {
      const bar = document.querySelector<HTMLProgressElement>(`${selector} progress`);
      return bar && bar.value / bar.max >= fraction;
    },
    { selector: rowSelector(file.name), fraction },
    TRANSFER_TIMEOUT_MS,
  );
}

/** Waits until the receiver's one row is complete and its saved file has the source's SHA-256. */
export async function receivedIntact(receiver: ChromiumPeer, file: SourceFile): Promise<void> {
  await waitForRows(receiver, 1, 'complete');
  await saveAndVerify(receiver, [file]);
}

/**
 * What the receiver's current page was sent again: the bytes its DataChannels received, less what it was missing
 * when it first answered the manifest (its first `resume` says how many chunks of each file it held already).
 * Handshake and control messages count too, a few KiB: the figure errs high, never low.
 */
export async function resentOnThisPage(receiver: ChromiumPeer, file: SourceFile): Promise<ResumeOutcome> {
  const { dataChannelBytesReceived, texts } = await trafficSeen(receiver);
  const first = <T>(type: string): T => {
    const text = texts.find((t) => t.includes(`"type":"${type}"`));
    if (!text) throw new Error(`the receiver's page saw no ${type} message`);
    return JSON.parse(text) as T;
  };
  const { chunkSize } = first<{ chunkSize: number }>('manifest');
  const held = Math.min(file.size, first<{ have: number[] }>('resume').have[0]! * chunkSize);
  return { heldFraction: held / file.size, resentBytes: dataChannelBytesReceived - (file.size - held) };
}

export interface ResumeSetup {
  sender: ChromiumPeer;
  receiver: ChromiumPeer;
  file: SourceFile;
}

/** The receiver reloads at about half-way: the reloaded page continues from what it stored, under the same sender row. */
export async function receiverReloads({ sender, receiver, file }: ResumeSetup, server: RunningServer): Promise<ResumeOutcome> {
  await transferUntil(sender, receiver, server.url, file, 0.5);
  await receiver.reload();
  await receivedIntact(receiver, file);
  await waitForReceivers(sender, ['done']);
  return resentOnThisPage(receiver, file);
}

/**
 * The sender reloads at about half-way: the send view lists the unfinished share, and picking the same file again
 * continues it under the same link; the receiver finishes with no click. `meanwhile` runs while the share is
 * listed, before the file is picked again (the e2e test tries another file there first).
 */
export async function senderReloads({ sender, receiver, file }: ResumeSetup, server: RunningServer, meanwhile = async (): Promise<void> => {}): Promise<ResumeOutcome> {
  const link = await transferUntil(sender, receiver, server.url, file, 0.5);
  await sender.reload();
  await sender.waitFor((name) => [...document.querySelectorAll('[data-testid="unfinished-share"]')].some((e) => e.textContent?.includes(name)), file.name, REDRAW_TIMEOUT_MS);
  const row = await receiver.evaluate((selector) => document.querySelector(selector)?.getAttribute('data-state'), rowSelector(file.name));
  if (row !== 'receiving') throw new Error(`while the sender is away, the row shows ${row}, not receiving`);
  await meanwhile();
  await sender.pickFiles([file.path]);
  await sender.waitFor(() => document.querySelector('[data-testid="share-link"]'), undefined, REDRAW_TIMEOUT_MS);
  const continued = await readShareLink(sender);
  if (continued !== link) throw new Error(`the share went on under another link: ${continued}, not ${link}`);
  await receivedIntact(receiver, file);
  await waitForReceivers(sender, ['done']);
  return resentOnThisPage(receiver, file);
}

/**
 * The receiving browser is killed (SIGKILL) at about half-way, started again on its profile, and the link opened
 * again. Its tab's lasting id went with the kill (sessionStorage), so the sender may list it as a new receiver;
 * what it stored is found by the link's key. The restarted browser is closed here, its errors checked first.
 */
export async function receiverKilled({ sender, receiver, file }: ResumeSetup, server: RunningServer): Promise<ResumeOutcome> {
  const link = await transferUntil(sender, receiver, server.url, file, 0.5);
  const restarted = await receiver.killAndRestart();
  try {
    await recordConnections(restarted);
    // Accepted before the kill: its stored record means accepted, so the link is not offered again.
    await restarted.goto(link);
    await receivedIntact(restarted, file);
    await waitForNewestReceiver(sender, 'done');
    if (restarted.errors.length > 0) throw new Error(`the restarted receiver's page logged errors:\n${restarted.errors.join('\n')}`);
    return await resentOnThisPage(restarted, file);
  } finally {
    await restarted.close();
  }
}

/**
 * Both browsers are relay-only through a real coturn (the signaler says so), which is killed at about half-way and
 * started again on its port five seconds later: both sides say they are paused and reconnecting, the row stays
 * `receiving`, and the transfer goes on by itself, no click.
 */
export async function relayFault({ sender, receiver, file }: ResumeSetup, server: RunningServer, turn: RunningTurn): Promise<ResumeOutcome> {
  await transferUntil(sender, receiver, server.url, file, 0.4);
  await turn.kill();
  await receiver.waitFor(() => document.querySelector('[role="status"]')?.textContent?.includes('reconnecting'), undefined, RECONNECT_TIMEOUT_MS);
  await waitForReceivers(sender, ['reconnecting'], RECONNECT_TIMEOUT_MS);
  const row = await receiver.evaluate((selector) => document.querySelector(selector)?.getAttribute('data-state'), rowSelector(file.name));
  if (row !== 'receiving') throw new Error(`while reconnecting, the row shows ${row}, not receiving`);
  await new Promise((resolve) => setTimeout(resolve, RELAY_OUTAGE_MS));
  await turn.restart();
  await receivedIntact(receiver, file);
  await waitForReceivers(sender, ['done']);
  return resentOnThisPage(receiver, file);
}

/**
 * The signaler restarts at about half-way (SIGTERM, then again on its port: the rooms it held are gone). The
 * transfer goes on over its open DataChannel; both pages reconnect and join again (the sender opens the room
 * anew), and the transfer moves to the connection the sender offers under the new peer ids once it is proven
 * (docs/architecture.md, "The signaler restarts"); then a second receiver opens the link and gets the file too.
 * Returns what the first receiver was sent again: what was in flight when it moved, at most the window.
 */
export async function signalerRestarts({ sender, receiver, file }: ResumeSetup, server: RunningServer, second: ChromiumPeer): Promise<ResumeOutcome> {
  await recordConnections(sender);
  const link = await transferUntil(sender, receiver, server.url, file, 0.5);
  await server.restart();
  await receivedIntact(receiver, file);
  await waitForReceivers(sender, ['done']);
  await waitForJoins(sender, 2, RECONNECT_TIMEOUT_MS);
  await waitForJoins(receiver, 2, RECONNECT_TIMEOUT_MS);
  const outcome = await resentOnThisPage(receiver, file);
  await receiveLink(second, link);
  await receivedIntact(second, file);
  await waitForReceivers(sender, ['done', 'done']);
  return outcome;
}
