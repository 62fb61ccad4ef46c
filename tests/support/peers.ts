import { afterAll, beforeAll } from 'vitest';
import { rm } from 'node:fs/promises';
import { launchBrowser, type TestBrowser } from './browser.ts';
import { scratchDir } from './files.ts';
import { startSignalServer, type RunningServer } from './signal-server.ts';

export interface Peers {
  server: RunningServer;
  /** The first browser sends; the others receive. Each is its own Chromium process. */
  browsers: TestBrowser[];
  sender: TestBrowser;
  receivers: TestBrowser[];
  /** The first receiver, for tests with one. */
  receiver: TestBrowser;
  /** A scratch folder for source files and downloads, removed afterwards. */
  dir: string;
}

/**
 * For one test file: a signal server, `count` separate browsers and a scratch
 * folder, started before its tests and cleaned up after them. Read the fields inside tests.
 */
export function usePeers(count = 2): Peers {
  const peers = {} as Peers;
  beforeAll(async () => {
    peers.dir = await scratchDir();
    peers.server = await startSignalServer();
    peers.browsers = await Promise.all(Array.from({ length: count }, () => launchBrowser()));
    [peers.sender, peers.receiver] = peers.browsers as [TestBrowser, TestBrowser];
    peers.receivers = peers.browsers.slice(1);
  });
  afterAll(async () => {
    await Promise.all((peers.browsers ?? []).map((b) => b.close()));
    await peers.server?.stop();
    if (peers.dir) await rm(peers.dir, { recursive: true, force: true });
  });
  return peers;
}
