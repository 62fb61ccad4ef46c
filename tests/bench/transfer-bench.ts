/**
 * `npm run bench`: the transfer engine against the raw DataChannel ceiling,
 * in two separate headless Chromium processes on this machine. A benchmark,
 * not a test: it prints figures and ratios and records them; it asserts nothing.
 *
 *   raw   256 KiB ArrayBuffers over an ordered DataChannel, bufferedAmount backpressure
 *   app   the real pages: file input → share link → verified and stored in IndexedDB
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { makeFile, scratchDir } from '../support/files.ts';
import { startSignalServer, type RunningServer } from '../support/signal-server.ts';
import { shareFiles } from '../support/transfer-flow.ts';
import { measureRawChannel } from './raw-channel.ts';
import { RendererMemory, cpuByProcessType } from './renderer-memory.ts';

const MiB = 1024 * 1024;
const MB = 1_000_000;

interface AppRun {
  sizeMiB: number;
  mbPerSecond: number;
  secondsToFirstByte: number;
  rssGrowthMiB: number;
  peakHeapMiB: number;
  /** CPU seconds per process type over the run, for finding where the time goes. */
  cpuSeconds: { sender: Record<string, number>; receiver: Record<string, number> };
}

/** Marks, inside the receiving page, when the first chunk arrived and when every row verified. */
const TIMING_SCRIPT = `
  window.__droplineBench = {};
  new MutationObserver(() => {
    const rows = [...document.querySelectorAll('[data-testid="file-row"]')];
    const states = rows.map((r) => r.getAttribute('data-state'));
    const mark = window.__droplineBench;
    if (mark.firstByte === undefined && states.some((s) => s !== 'waiting')) mark.firstByte = Date.now();
    if (mark.complete === undefined && rows.length > 0 && states.every((s) => s === 'complete')) mark.complete = Date.now();
    if (mark.failed === undefined && states.includes('failed')) mark.failed = rows.map((r) => r.textContent).join(' | ');
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
`;

async function appRun(server: RunningServer, sender: TestBrowser, dir: string, sizeMiB: number): Promise<AppRun> {
  const file = await makeFile(dir, `bench-${sizeMiB}MiB.bin`, sizeMiB * MiB);
  const receiver = await launchBrowser();
  try {
    await receiver.context.addInitScript(TIMING_SCRIPT);
    // Load the app once first, so the baseline is a renderer that already runs it.
    await receiver.page.goto(server.url);
    const memory = await RendererMemory.start(receiver);
    const cpuBefore = await Promise.all([cpuByProcessType(sender), cpuByProcessType(receiver)]);
    const link = await shareFiles(sender.page, server.url, [file]);
    const opened = Date.now();
    await receiver.page.goto(link);
    const marks = await receiver.page
      .waitForFunction(
        () => {
          const mark = (window as unknown as { __droplineBench: { firstByte?: number; complete?: number; failed?: string } }).__droplineBench;
          return mark.complete !== undefined || mark.failed !== undefined ? mark : undefined;
        },
        undefined,
        { timeout: 600_000, polling: 250 },
      )
      .then((handle) => handle.jsonValue());
    const peak = await memory.stop();
    const cpuAfter = await Promise.all([cpuByProcessType(sender), cpuByProcessType(receiver)]);
    const [senderCpu, receiverCpu] = cpuAfter.map((after, i) =>
      Object.fromEntries([...after].map(([type, seconds]) => [type, round(seconds - (cpuBefore[i]!.get(type) ?? 0), 2)])),
    );
    if (!marks || marks.failed !== undefined || marks.firstByte === undefined || marks.complete === undefined) {
      throw new Error(`the ${sizeMiB} MiB transfer did not complete: ${marks?.failed ?? 'no marks'}`);
    }
    return {
      sizeMiB,
      mbPerSecond: (sizeMiB * MiB) / MB / ((marks.complete - marks.firstByte) / 1000),
      secondsToFirstByte: (marks.firstByte - opened) / 1000,
      rssGrowthMiB: peak.rssGrowthBytes / MiB,
      peakHeapMiB: peak.heapBytes / MiB,
      cpuSeconds: { sender: senderCpu!, receiver: receiverCpu! },
    };
  } finally {
    await receiver.close();
    await rm(file.path, { force: true });
  }
}

const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

function table(raw: number, runs: AppRun[]): string {
  const lines = [
    '| run | MB/s | app / raw | link → first byte | receiver RssAnon growth | receiver peak JS heap |',
    '| --- | --- | --- | --- | --- | --- |',
    `| raw DataChannel, 256 KiB messages | ${round(raw)} | 1.00 | | | |`,
    ...runs.map(
      (r) =>
        `| app, ${r.sizeMiB >= 1024 ? `${r.sizeMiB / 1024} GiB` : `${r.sizeMiB} MiB`} → IndexedDB | ${round(r.mbPerSecond)} | ${(r.mbPerSecond / raw).toFixed(2)} | ${round(r.secondsToFirstByte, 2)} s | ${round(r.rssGrowthMiB)} MiB | ${round(r.peakHeapMiB)} MiB |`,
    ),
  ];
  return lines.join('\n');
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Replaces (or appends) the README's `## Benchmarks` section; the rest of the README is left as it is. */
async function updateReadme(section: string): Promise<void> {
  const readme = await readFile('README.md', 'utf8');
  const start = readme.indexOf('\n## Benchmarks\n');
  const next = start < 0 ? -1 : readme.indexOf('\n## ', start + 1);
  const body = `\n## Benchmarks\n\n${section}\n`;
  const updated = start < 0 ? `${readme.trimEnd()}\n${body}` : `${readme.slice(0, start)}${body}${next < 0 ? '' : readme.slice(next)}`;
  await writeFile('README.md', updated);
}

const dir = await scratchDir();
const server = await startSignalServer();
const sender = await launchBrowser();
try {
  const raw: number[] = [];
  for (let i = 0; i < 2; i++) {
    const receiver = await launchBrowser();
    try {
      const before = await Promise.all([cpuByProcessType(sender), cpuByProcessType(receiver)]);
      raw.push(await measureRawChannel(sender.page, receiver.page, server.url, 256 * MiB));
      const after = await Promise.all([cpuByProcessType(sender), cpuByProcessType(receiver)]);
      console.log(`raw CPU s: ${JSON.stringify(after.map((a, j) => Object.fromEntries([...a].map(([t, s]) => [t, round(s - (before[j]!.get(t) ?? 0), 2)]))))}`);
    } finally {
      await receiver.close();
    }
    console.log(`raw run ${i + 1}: ${round(raw[i]!)} MB/s`);
  }
  const ceiling = Math.max(...raw);
  const runs: AppRun[] = [];
  for (const sizeMiB of (process.env.BENCH_SIZES_MIB ?? '256,1024').split(',').map(Number)) {
    const run = await appRun(server, sender, dir, sizeMiB);
    console.log(`app ${sizeMiB} MiB: ${round(run.mbPerSecond)} MB/s, RssAnon +${round(run.rssGrowthMiB)} MiB, CPU s ${JSON.stringify(run.cpuSeconds)}`);
    runs.push(run);
  }
  const output = table(ceiling, runs);
  console.log(`\n${output}\n`);

  const results = await readJson('bench-results.json');
  results.transfer = {
    measuredAt: new Date().toISOString(),
    command: 'npm run bench',
    rawMBps: round(ceiling),
    rawRunsMBps: raw.map((r) => round(r)),
    app: runs.map((r) => ({ ...r, ratio: round(r.mbPerSecond / ceiling, 2) })),
  };
  await writeFile('bench-results.json', `${JSON.stringify(results, null, 2)}\n`);
  await updateReadme(
    `\`npm run bench\` (two headless Chromium processes on one 2-core machine, loopback; MB = 10⁶ bytes; ` +
      `speed counted from the first verified chunk to the last file verified and stored; memory is the growth of the ` +
      `receiving renderer's \`RssAnon\` over the run). Latest run, ${new Date().toISOString().slice(0, 10)}:\n\n${output}`,
  );
} finally {
  await sender.close();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
