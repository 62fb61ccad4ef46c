/**
 * The bench's Save-all section: a 1 GiB share of 8 files (128 MiB each) received by the app, then Save all in
 * the receiver. Prints the zip's MB/s from the click to the finished download and the receiving renderer's
 * RssAnon growth while the zip is made, against the 96 MiB it should stay under. A benchmark, not a test: it
 * prints PASS or FAIL and asserts nothing. The zip's entries are checked against the sources' names and sizes.
 *
 * Alone (after npm run build): npx tsx -e "import('./tests/bench/save-all-bench.ts').then((m) => m.benchSaveAll())"
 */
import { execFileSync } from 'node:child_process';
import { rm, stat } from 'node:fs/promises';
import { launchChromium } from '../support/chromium.ts';
import { makeFile, scratchDir, type SourceFile } from '../support/files.ts';
import { startSignalServer } from '../support/signal-server.ts';
import { receiveLink, shareFiles, waitForRows } from '../support/transfer-flow.ts';
import { RendererMemory } from './process-meters.ts';

const MiB = 1024 * 1024;
const MB = 1_000_000;
const FILES = 8;
const FILE_MIB = 128;
/** What the receiving renderer may grow by while it zips 1 GiB: the zip streams from disk to disk. */
const LIMIT_MIB = 96;
/** A gigabyte each way on a shared 2-core machine that other jobs may load 10 times over: waits for states, not times. */
const TIMEOUT_MS = 60 * 60_000;

export interface SaveAllResult {
  totalMiB: number;
  mbPerSecond: number;
  /** RssAnon growth of the receiving renderer from just before the click to the finished download. */
  rssGrowthMiB: number;
  /** The same from the receiver's start page to the finished download (receiving and zipping). */
  rssGrowthWholeMiB: number;
  pass: boolean;
  line: string;
}

/** Names and sizes of a zip's entries, as `unzip -Z1`/`zipinfo` list them: no need to hold 1 GiB in memory. */
function zipEntries(path: string): Map<string, number> {
  const listing = execFileSync('zipinfo', ['-l', path], { encoding: 'utf8' });
  const entries = new Map<string, number>();
  // "-rw-------  2.0 unx 134217728 b- 134217728 stor 25-Dec-06 03:20 bench-1.bin": size is the 4th field, name the last.
  for (const line of listing.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length >= 10 && /^\d+$/.test(fields[3]!)) entries.set(fields.slice(9).join(' '), Number(fields[3]));
  }
  return entries;
}

/** `fileCount` below 8 is for finding out how the memory grows with the size; the figure is taken at 8. */
export async function benchSaveAll(fileCount = FILES): Promise<SaveAllResult> {
  const dir = await scratchDir();
  const server = await startSignalServer();
  // Pinned like the transfer runs: each end a core of its own, as two devices would be.
  const sender = await launchChromium({ cpus: '0' });
  const receiver = await launchChromium({ cpus: '1' });
  // Sampling stops before the browsers close, even when a step fails: a sample of a closed browser would throw.
  const meters: RendererMemory[] = [];
  try {
    const files: SourceFile[] = [];
    for (let i = 1; i <= fileCount; i++) files.push(await makeFile(dir, `save-all-${i}.bin`, FILE_MIB * MiB));
    execFileSync('sync');
    await receiver.goto(server.url);
    const whole = await RendererMemory.start(receiver);
    meters.push(whole);
    const link = await shareFiles(sender, server.url, files);
    await receiveLink(receiver, link);
    await waitForRows(receiver, fileCount, 'complete', TIMEOUT_MS);
    // Every row is saveable once its Blob is assembled; the button counts them.
    await receiver.waitFor(() => document.querySelector('[data-testid="save-all"]')?.textContent?.trim() === 'Save all as zip', undefined, TIMEOUT_MS);
    execFileSync('sync');

    const zipping = await RendererMemory.start(receiver);
    meters.push(zipping);
    const started = Date.now();
    const [download] = await Promise.all([receiver.page.waitForEvent('download', { timeout: TIMEOUT_MS }), receiver.click('[data-testid="save-all"]')]);
    const path = await download.path();
    const seconds = (Date.now() - started) / 1000;
    const { rssGrowthBytes } = await zipping.stop();
    const { rssGrowthBytes: wholeBytes } = await whole.stop();
    // The click started one download; the helper's own counts do not know of it.
    receiver.downloadCounts.clicked++;

    const entries = zipEntries(path);
    const mismatched = files.filter((f) => entries.get(f.name) !== f.size).map((f) => `${f.name}: ${entries.get(f.name) ?? 'missing'} != ${f.size}`);
    if (entries.size !== fileCount || mismatched.length > 0) throw new Error(`the zip does not hold the files: ${entries.size} entries; ${mismatched.join('; ')}`);
    const zipBytes = (await stat(path)).size;

    const totalMiB = fileCount * FILE_MIB;
    const mbPerSecond = zipBytes / MB / seconds;
    const rssGrowthMiB = rssGrowthBytes / MiB;
    const rssGrowthWholeMiB = wholeBytes / MiB;
    const pass = rssGrowthMiB < LIMIT_MIB;
    const r = (n: number): number => Math.round(n * 10) / 10;
    const line =
      `Save all, ${fileCount} files of ${FILE_MIB} MiB (${totalMiB} MiB) received, then zipped and downloaded: ${r(mbPerSecond)} MB/s from the click to the finished download ` +
      `(${r(seconds)} s, zip ${r(zipBytes / MiB)} MiB, its ${entries.size} entries' names and sizes match the sources); receiving renderer's RssAnon growth while zipping ` +
      `${r(rssGrowthMiB)} MiB, ${pass ? 'PASS' : 'FAIL'} against ${LIMIT_MIB} MiB (${r(rssGrowthWholeMiB)} MiB over receiving and zipping together).`;
    console.log(line);
    return { totalMiB, mbPerSecond: r(mbPerSecond), rssGrowthMiB: r(rssGrowthMiB), rssGrowthWholeMiB: r(rssGrowthWholeMiB), pass, line };
  } finally {
    await Promise.all(meters.map((meter) => meter.stop().catch(() => undefined)));
    await receiver.close();
    await sender.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
