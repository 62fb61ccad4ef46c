import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { DEFAULT_VIEWPORT, DownloadPace, browserLauncher, freshProfile, type LaunchOptions, type Peer, type SavedDownload } from './browser.ts';

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/** What a finished download looks like on WebDriver BiDi (`browsingContext.downloadEnd`). */
interface DownloadEnd {
  status: 'complete' | 'canceled';
  filepath?: string | null;
  url: string;
}

/** The few BiDi calls the download events need; Puppeteer keeps its BiDi connection untyped for these events. */
interface BidiEvents {
  send(method: 'session.subscribe', params: { events: string[] }): Promise<unknown>;
  on(event: 'browsingContext.downloadWillBegin', handler: (event: { suggestedFilename: string }) => void): void;
  on(event: 'browsingContext.downloadEnd', handler: (event: DownloadEnd) => void): void;
}

/**
 * Prefs for a Firefox peer: loopback ICE candidates, unobfuscated host addresses (so two processes on one
 * machine find each other, as design.md §8's flags do for Chromium), and downloads written straight to a folder.
 */
const prefs = (downloads: string): Record<string, unknown> => ({
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'browser.download.dir': downloads,
  'browser.download.folderList': 2,
  'browser.download.useDownloadDir': true,
  'browser.download.always_ask_before_handling_new_types': false,
  'browser.download.start_downloads_in_tmp_dir': false,
});

/** A Firefox ESR peer, driven by Puppeteer over WebDriver BiDi; downloads are followed through BiDi's download events. */
export class FirefoxPeer implements Peer {
  readonly engine = 'firefox';
  readonly errors: string[] = [];
  readonly downloadCounts = { started: 0, clicked: 0 };
  readonly #pace = new DownloadPace();
  readonly #names: string[] = [];
  readonly #ended: DownloadEnd[] = [];
  #waiters: Array<() => void> = [];

  private constructor(
    readonly browser: Browser,
    readonly page: Page,
    private readonly removeProfile: () => Promise<void>,
  ) {
    page.on('console', (message) => {
      if (message.type() === 'error') this.errors.push(message.text());
    });
    page.on('pageerror', (error) => this.errors.push(error instanceof Error ? error.message : String(error)));
  }

  static async start(browser: Browser, removeProfile: () => Promise<void>): Promise<FirefoxPeer> {
    const page = (await browser.pages())[0] ?? (await browser.newPage());
    const peer = new FirefoxPeer(browser, page, removeProfile);
    // The connection is Puppeteer's own BiDi session; it has no typed surface for download events.
    const bidi = (browser as unknown as { connection: BidiEvents }).connection;
    await bidi.send('session.subscribe', { events: ['browsingContext.downloadWillBegin', 'browsingContext.downloadEnd'] });
    bidi.on('browsingContext.downloadWillBegin', ({ suggestedFilename }) => {
      peer.downloadCounts.started++;
      peer.#names.push(suggestedFilename);
    });
    bidi.on('browsingContext.downloadEnd', (event) => {
      peer.#ended.push(event);
      peer.#waiters.splice(0).forEach((wake) => wake());
    });
    return peer;
  }

  async goto(url: string): Promise<void> {
    await this.page.goto(url);
  }

  async reload(): Promise<void> {
    await this.page.reload();
  }

  async addInitScript(script: () => void): Promise<void> {
    await this.page.evaluateOnNewDocument(script);
  }

  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R> {
    // Puppeteer types the argument through its handle-flattening types; ours are plain serialisable values.
    return this.page.evaluate(fn as (arg: unknown) => R | Promise<R>, arg as unknown) as Promise<R>;
  }

  async waitFor<A>(fn: (arg: A) => unknown, arg: A, timeoutMs: number): Promise<void> {
    await this.page.waitForFunction(fn as (arg: unknown) => unknown, { timeout: timeoutMs, polling: 200 }, arg as unknown);
  }

  async pickFiles(paths: string[]): Promise<void> {
    const input = await this.page.$('[data-testid="file-input"]');
    if (!input) throw new Error('no file input on the page');
    // Puppeteer types uploadFile on input elements only; the test id names one.
    await (input as unknown as { uploadFile(...paths: string[]): Promise<void> }).uploadFile(...paths);
  }

  async click(selector: string): Promise<void> {
    await this.page.locator(selector).click();
  }

  async download(selector: string): Promise<SavedDownload> {
    await this.#pace.next();
    const seen = this.#ended.length;
    this.downloadCounts.clicked++;
    await this.click(selector);
    const deadline = Date.now() + 15_000;
    while (this.#ended.length === seen) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`clicking ${selector} started no download`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const ended = this.#ended[seen]!;
    if (ended.status !== 'complete' || !ended.filepath) throw new Error(`the download from ${selector} ended ${ended.status}`);
    return { name: this.#names[seen] ?? '', path: ended.filepath };
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.removeProfile();
  }
}

/** A separate Firefox ESR process with its own fresh profile. */
export async function launchFirefox({ viewport = DEFAULT_VIEWPORT, cpus }: LaunchOptions = {}): Promise<FirefoxPeer> {
  const folders = await freshProfile('firefox');
  try {
    const browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: cpus === undefined ? FIREFOX_PATH : await browserLauncher(folders.profile, FIREFOX_PATH, cpus),
      headless: true,
      userDataDir: folders.profile,
      defaultViewport: viewport,
      extraPrefsFirefox: prefs(folders.downloads),
    });
    try {
      return await FirefoxPeer.start(browser, folders.remove);
    } catch (error) {
      await browser.close();
      throw error;
    }
  } catch (error) {
    await folders.remove();
    throw error;
  }
}
