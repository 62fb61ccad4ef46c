import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One peer of an end-to-end test: a browser process of its own, with a fresh profile, driven through the same
 * small surface whatever its engine. Tests name engines, not drivers: `chromium.ts` drives Debian's Chromium with
 * Playwright, `firefox.ts` Debian's Firefox ESR with Puppeteer over WebDriver BiDi.
 */
export type Engine = 'chromium' | 'firefox';

export interface SavedDownload {
  /** The name the page gave the download. */
  name: string;
  /** Where the browser wrote it. */
  path: string;
}

export interface Peer {
  readonly engine: Engine;
  /** Console errors and page errors seen so far: a CSP violation or an uncaught exception fails a test. */
  readonly errors: string[];
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /** Runs `script` in every page this peer loads from now on, before the page's own scripts. */
  addInitScript(script: () => void): Promise<void>;
  /** Runs `fn(arg)` in the page and returns its (serialisable) result. */
  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  /** Waits until `fn(arg)` is truthy in the page, polled every 200 ms; fails after `timeoutMs`. */
  waitFor<A>(fn: (arg: A) => unknown, arg: A, timeoutMs: number): Promise<void>;
  /** Sets files on the send view's file input, as a person picking them would. */
  pickFiles(paths: string[]): Promise<void>;
  /** A real click (input events, user activation) on the element `selector` names, once it is visible and enabled. */
  click(selector: string): Promise<void>;
  /** Clicks `selector` and waits for the one download the click starts, written to disk. */
  download(selector: string): Promise<SavedDownload>;
  /** Downloads the browser started, and clicks made through download(): a click that starts two shows here. */
  readonly downloadCounts: { started: number; clicked: number };
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
  /**
   * The browser's language, such as "zh-CN" (Chromium only): what the page reads in `navigator.languages` and the
   * Accept-Language it sends. English when not given.
   */
  locale?: string;
}

export const DEFAULT_VIEWPORT = { width: 1280, height: 800 };

/** A browser's profile folder and its downloads folder; both go when the peer closes. */
export interface ProfileFolders {
  profile: string;
  downloads: string;
  remove(): Promise<void>;
}

/** A fresh profile folder and a downloads folder. */
export async function freshProfile(engine: Engine): Promise<ProfileFolders> {
  const profile = await mkdtemp(join(tmpdir(), `dropline-${engine}-`));
  const downloads = await mkdtemp(join(tmpdir(), `dropline-${engine}-downloads-`));
  return {
    profile,
    downloads,
    remove: async () => {
      await rm(profile, { recursive: true, force: true });
      await rm(downloads, { recursive: true, force: true });
    },
  };
}

/**
 * A launcher script (kept in the profile, so it goes with it) that writes its pid to `browserPidFile(profile)` and
 * then becomes `executable`, on `cpus` when they are given (its children inherit them). `exec` keeps the pid, and
 * the drivers start the browser as the leader of a process group of its own, so that pid names the whole browser
 * (ChromiumPeer.kill).
 */
export async function browserLauncher(profile: string, executable: string, cpus?: string): Promise<string> {
  const path = join(profile, 'launch.sh');
  const quote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;
  const pinned = cpus === undefined ? '' : `taskset -c ${quote(cpus)} `;
  await writeFile(path, `#!/bin/sh\necho $$ > ${quote(browserPidFile(profile))}\nexec ${pinned}${quote(executable)} "$@"\n`);
  await chmod(path, 0o755);
  return path;
}

/** Where browserLauncher writes the pid of the browser it started. */
export const browserPidFile = (profile: string): string => join(profile, 'browser.pid');

/**
 * Browsers refuse a frame's downloads past 10 a second (Chromium drops the 11th without a word: its "throttle
 * url download requests from a RenderFrame" rule). A person never clicks Save that fast; a test saving a folder
 * row by row does, so it keeps to the browser's pace instead of retrying what the browser dropped.
 */
export class DownloadPace {
  static readonly PER_SECOND = 10;
  readonly #starts: number[] = [];

  async next(): Promise<void> {
    const windowMs = 1100; // a little over the browser's second, so its clock and ours need not agree exactly
    const oldest = this.#starts.at(-DownloadPace.PER_SECOND);
    const wait = oldest === undefined ? 0 : oldest + windowMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    this.#starts.push(Date.now());
    if (this.#starts.length > DownloadPace.PER_SECOND) this.#starts.shift();
  }
}

/** Launches every peer; if one fails to start, the ones that did are closed before the error is passed on. */
export async function launchAll<T extends { close(): Promise<void> }>(launches: Array<() => Promise<T>>): Promise<T[]> {
  const results = await Promise.allSettled(launches.map((launch) => launch()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failed) return results.map((r) => (r as PromiseFulfilledResult<T>).value);
  await Promise.all(results.map((r) => (r.status === 'fulfilled' ? r.value.close().catch(() => undefined) : undefined)));
  throw failed.reason;
}
