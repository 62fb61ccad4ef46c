/**
 * The bench's resume section: each resume case of the e2e suite (tests/support/resume-scenarios.ts) once, on a
 * 96 MiB file, between separate headless Chromium processes, and the MiB each sent again next to the credit window.
 * One run each, so about three minutes in all; the e2e files assert the bound, this only reports it.
 *
 * Alone: npx tsx -e "import('./tests/bench/resume-bench.ts').then((m) => m.benchResume())"
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { launchChromium, type ChromiumPeer } from '../support/chromium.ts';
import { makeFile, scratchDir } from '../support/files.ts';
import { MiB, receiverKilled, receiverReloads, relayFault, senderReloads, signalerRestarts, WINDOW_BYTES, type ResumeOutcome, type ResumeSetup } from '../support/resume-scenarios.ts';
import { startSignalServer } from '../support/signal-server.ts';
import { startTurn } from '../support/turn-server.ts';

export interface ResumeRow {
  case: string;
  /** Where the receiver stood when it resumed from storage (0 when it never had to). */
  heldPercent: number;
  resentMiB: number;
}

const FILE_MIB = 96;

/** Runs one case with a fresh receiver (and a second one where the case needs it), closed afterwards. */
async function withReceivers(count: number, run: (receivers: ChromiumPeer[]) => Promise<ResumeOutcome>): Promise<ResumeOutcome> {
  const receivers: ChromiumPeer[] = [];
  try {
    for (let i = 0; i < count; i++) receivers.push(await launchChromium());
    return await run(receivers);
  } finally {
    await Promise.all(receivers.map((r) => r.close()));
  }
}

export async function benchResume(): Promise<{ rows: ResumeRow[]; line: string }> {
  const dir = await scratchDir();
  const server = await startSignalServer();
  const turn = await startTurn(randomBytes(18).toString('base64url'));
  const relayed = await startSignalServer({ TURN_URLS: turn.url, TURN_SECRET: turn.secret, TURN_TTL_SECONDS: '600', ICE_TRANSPORT_POLICY: 'relay' });
  const sender = await launchChromium();
  try {
    // A file of its own per case: the same file picked again in the sender's browser would continue the last share.
    let files = 0;
    const setup = async (receiver: ChromiumPeer): Promise<ResumeSetup> => ({ sender, receiver, file: await makeFile(dir, `resume-${++files}-${FILE_MIB}MiB.bin`, FILE_MIB * MiB) });
    const cases: Array<[string, () => Promise<ResumeOutcome>]> = [
      ['receiver reload', () => withReceivers(1, async ([r]) => receiverReloads(await setup(r!), server))],
      ['sender reload', () => withReceivers(1, async ([r]) => senderReloads(await setup(r!), server))],
      ['receiving browser killed', () => withReceivers(1, async ([r]) => receiverKilled(await setup(r!), server))],
      ['network fault (relay killed 5 s)', () => withReceivers(1, async ([r]) => relayFault(await setup(r!), relayed, turn))],
      ['signaler restart', () => withReceivers(2, async ([r, second]) => signalerRestarts(await setup(r!), server, second!))],
    ];
    const rows: ResumeRow[] = [];
    for (const [name, run] of cases) {
      const { heldFraction, resentBytes } = await run();
      rows.push({ case: name, heldPercent: Math.round(heldFraction * 100), resentMiB: Math.round((resentBytes / MiB) * 10) / 10 });
      console.log(`resume, ${name}: ${rows.at(-1)!.resentMiB} MiB re-sent (window ${WINDOW_BYTES / MiB} MiB)`);
    }
    const line =
      `MiB re-sent per resume case, ${FILE_MIB} MiB file, one run each (flow-control window ${WINDOW_BYTES / MiB} MiB): ` +
      rows.map((r) => `${r.case} ${r.resentMiB}${r.heldPercent > 0 ? ` (resumed from ${r.heldPercent} %)` : ''}`).join('; ') +
      '.';
    console.log(line);
    return { rows, line };
  } finally {
    await sender.close();
    await relayed.stop();
    await turn.stop();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
