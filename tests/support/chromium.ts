import { chromium, type BrowserContext, type Download, type Page } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_VIEWPORT, DownloadPace, browserLauncher, browserPidFile, freshProfile, type LaunchOptions, type Peer, type ProfileFolders, type SavedDownload } from './browser.ts';

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

/** A Chromium peer, driven by Playwright; `page` and `context` are there for what only Chromium offers (CDP). */
export class ChromiumPeer implements Peer {
  readonly engine = 'chromium';
  readonly errors: string[] = [];
  readonly downloadCounts = { started: 0, clicked: 0 };
  readonly #pace = new DownloadPace();
  readonly #downloads: Download[] = [];
  #saved = 0;

  constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly downloadDir: string,
    /** Ends this peer; and, for a whole browser (not a tab), kills it and starts it again on its profile. */
    private readonly lifecycle: { close(): Promise<void>; killAndRestart?(): Promise<ChromiumPeer> },
  ) {
    page.on('console', (message) => {
      if (message.type() === 'error') this.errors.push(message.text());
    });
    page.on('pageerror', (error) => this.errors.push(error.message));
    page.on('download', (download) => {
      this.downloadCounts.started++;
      this.#downloads.push(download);
    });
  }

  async goto(url: string): Promise<void> {
    await this.page.goto(url);
  }

  async reload(): Promise<void> {
    await this.page.reload();
  }

  async addInitScript(script: () => void): Promise<void> {
    // Run from tsx (the bench), esbuild wraps named functions in a `__name` helper that pages lack: the script
    // would stop at its first one. A no-op `__name` comes first, so it runs the same under vitest and tsx.
    await this.context.addInitScript(`var __name = (target) => target;\n(${script.toString()})();`);
  }

  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R> {
    // Playwright's evaluate types its argument through its own serialisation types.
    return this.page.evaluate(fn as (arg: unknown) => R | Promise<R>, arg as unknown) as Promise<R>;
  }

  async waitFor<A>(fn: (arg: A) => unknown, arg: A, timeoutMs: number): Promise<void> {
    await this.page.waitForFunction(fn as (arg: unknown) => unknown, arg as unknown, { timeout: timeoutMs, polling: 200 });
  }

  async pickFiles(paths: string[]): Promise<void> {
    await this.page.getByTestId('file-input').setInputFiles(paths);
  }

  async click(selector: string): Promise<void> {
    await this.page.locator(selector).click();
  }

  async download(selector: string): Promise<SavedDownload> {
    await this.#pace.next();
    const seen = this.#downloads.length;
    this.downloadCounts.clicked++;
    await this.click(selector);
    const download = this.#downloads[seen] ?? (await this.page.waitForEvent('download', { timeout: 15_000 }));
    const path = join(this.downloadDir, `${++this.#saved}-${download.suggestedFilename()}`);
    await download.saveAs(path);
    return { name: download.suggestedFilename(), path };
  }

  /** Another tab of this same browser, sharing its profile and storage; closing it closes only the tab. */
  async newTab(): Promise<ChromiumPeer> {
    const page = await this.context.newPage();
    return new ChromiumPeer(this.context, page, this.downloadDir, { close: () => page.close() });
  }

  /**
   * Kills the whole browser at once, as a crash or a power cut would (SIGKILL to its process group: nothing is
   * flushed, no connection says goodbye), then starts it again on the same profile, its IndexedDB and origin
   * private file system as the kill left them (sessionStorage does not survive). Returns the new browser, which
   * owns the profile from then on; this peer is dead, and closing it leaves the profile alone.
   */
  killAndRestart(): Promise<ChromiumPeer> {
    if (!this.lifecycle.killAndRestart) throw new Error('a tab cannot be killed on its own: kill the browser that opened it');
    return this.lifecycle.killAndRestart();
  }

  close(): Promise<void> {
    return this.lifecycle.close();
  }
}

/** A separate Chromium process with its own fresh profile: one per peer, never two tabs of one. */
export async function launchChromium(options: LaunchOptions = {}): Promise<ChromiumPeer> {
  return launchOnProfile(await freshProfile('chromium'), options);
}

/** Starts Chromium on `folders` (fresh, or left by a killed browser); the peer removes them when it closes. */
async function launchOnProfile(folders: ProfileFolders, { viewport = DEFAULT_VIEWPORT, cpus, locale }: LaunchOptions): Promise<ChromiumPeer> {
  try {
    const context = await chromium.launchPersistentContext(folders.profile, {
      // Through a launcher that records the browser's pid, so that killAndRestart() can kill it.
      executablePath: await browserLauncher(folders.profile, CHROMIUM_PATH, cpus),
      headless: true,
      // Both: Playwright's locale sets what pages are told (navigator.languages, Accept-Language), --lang the
      // browser's own language, as a person's Chromium in that language has.
      args: locale === undefined ? CHROMIUM_ARGS : [...CHROMIUM_ARGS, `--lang=${locale}`],
      acceptDownloads: true,
      viewport,
      ...(locale !== undefined && { locale }),
    });
    try {
      await context.grantPermissions(['microphone', 'clipboard-read', 'clipboard-write']);
      const page = context.pages()[0] ?? (await context.newPage());
      let handedOver = false;
      return new ChromiumPeer(context, page, folders.downloads, {
        close: async () => {
          await context.close();
          if (!handedOver) await folders.remove();
        },
        killAndRestart: async () => {
          const pid = Number(await readFile(browserPidFile(folders.profile), 'utf8'));
          const gone = new Promise((resolve) => context.once('close', resolve));
          process.kill(-pid, 'SIGKILL');
          await gone;
          // From here the new browser owns the folders (and removes them if it fails to start).
          handedOver = true;
          return launchOnProfile(folders, { viewport, ...(cpus !== undefined && { cpus }), ...(locale !== undefined && { locale }) });
        },
      });
    } catch (error) {
      await context.close();
      throw error;
    }
  } catch (error) {
    await folders.remove();
    throw error;
  }
}
