import type { ChromiumPeer } from '../support/chromium.ts';
import type { SourceFile } from '../support/files.ts';
import { shareFiles, receiveLink } from '../support/transfer-flow.ts';

const MiB = 1024 * 1024;
const MB = 1_000_000;

/**
 * Marks, inside the receiving page, when the first chunk arrived and when every row verified. `settled`
 * resolves at the end, so the bench awaits it rather than polling the page, as the raw run awaits its last message.
 * Add it to the receiver's context (addInitScript) before the receiver opens the link.
 */
export const TIMING_SCRIPT = `
  window.__droplineBench = {};
  window.__droplineBench.settled = new Promise((resolve) => {
    new MutationObserver(() => {
      const rows = [...document.querySelectorAll('[data-testid="file-row"]')];
      const states = rows.map((r) => r.getAttribute('data-state'));
      const mark = window.__droplineBench;
      if (mark.firstByte === undefined && states.some((s) => s !== 'waiting')) mark.firstByte = Date.now();
      if (mark.complete === undefined && rows.length > 0 && states.every((s) => s === 'complete')) mark.complete = Date.now();
      if (mark.failed === undefined && states.includes('failed')) mark.failed = rows.map((r) => r.textContent).join(' | ');
      if (mark.complete !== undefined || mark.failed !== undefined) resolve({ ...mark, settled: undefined });
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
  });
`;

interface BenchMarks {
  firstByte?: number;
  complete?: number;
  failed?: string;
}

/**
 * One app transfer through the UI: `sender` shares `file` from `serverUrl`, `receiver` (with TIMING_SCRIPT) opens
 * the link. MB/s from the first verified chunk to the last file verified and stored.
 */
export async function timedAppTransfer(
  sender: ChromiumPeer,
  receiver: ChromiumPeer,
  serverUrl: string,
  file: SourceFile,
): Promise<{ sizeMiB: number; mbPerSecond: number; secondsToFirstByte: number }> {
  const sizeMiB = file.size / MiB;
  const link = await shareFiles(sender, serverUrl, [file]);
  const opened = Date.now();
  // The accept click is part of opening a link now: nothing is stored before it.
  await receiveLink(receiver, link);
  const marks = await receiver.page.evaluate(() => (window as unknown as { __droplineBench: { settled: Promise<BenchMarks> } }).__droplineBench.settled);
  if (!marks || marks.failed !== undefined || marks.firstByte === undefined || marks.complete === undefined) {
    throw new Error(`the ${sizeMiB} MiB transfer did not complete: ${marks?.failed ?? 'no marks'}`);
  }
  return {
    sizeMiB,
    mbPerSecond: file.size / MB / ((marks.complete - marks.firstByte) / 1000),
    secondsToFirstByte: (marks.firstByte - opened) / 1000,
  };
}
