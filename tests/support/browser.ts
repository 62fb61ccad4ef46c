import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Flags known to work on these machines (design.md §8). The last two let
 * WebRTC gather 127.0.0.1 candidates in a loopback-only network namespace.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--allow-loopback-in-peer-connection',
  '--use-fake-ui-for-media-stream',
];

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors seen so far: a CSP violation or an uncaught exception fails a test. */
  errors: string[];
  close(): Promise<void>;
}

export interface LaunchOptions {
  viewport?: { width: number; height: number };
  /**
   * The CPUs every process of this browser may run on (`taskset -c` syntax, such as "0"). The bench gives
   * each browser a core of its own, as two devices have: with both browsers spread over both cores, where the
   * scheduler happened to put the WebRTC threads decided a run's speed more than the code did.
   */
  cpus?: string;
}

/** A separate Chromium process with its own fresh profile: one per peer, never two tabs of one. */
export async function launchBrowser({ viewport = { width: 1280, height: 800 }, cpus }: LaunchOptions = {}): Promise<TestBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'dropline-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: cpus === undefined ? CHROMIUM_PATH : await pinnedLauncher(profile, cpus),
    headless: true,
    args: CHROMIUM_ARGS,
    acceptDownloads: true,
    viewport,
  });
  await context.grantPermissions(['microphone', 'clipboard-read', 'clipboard-write']);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return {
    context,
    page,
    errors,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** A launcher script (kept in the profile, so it goes with it) that starts Chromium on `cpus`; its children inherit them. */
async function pinnedLauncher(profile: string, cpus: string): Promise<string> {
  const path = join(profile, 'launch-pinned.sh');
  const quote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;
  await writeFile(path, `#!/bin/sh\nexec taskset -c ${quote(cpus)} ${quote(CHROMIUM_PATH)} "$@"\n`);
  await chmod(path, 0o755);
  return path;
}
