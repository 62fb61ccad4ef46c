import { afterAll, beforeAll } from 'vitest';
import { rm } from 'node:fs/promises';
import { launchBrowser, type TestBrowser } from './browser.ts';
import { scratchDir } from './files.ts';
import { startSignalServer, type RunningServer } from './signal-server.ts';

export interface TransferPeers {
  sender: TestBrowser;
  /** The first receiver. */
  receiver: TestBrowser;
  /** Every receiver, each its own Chromium process. */
  receivers: TestBrowser[];
  /** Scratch folder for source files and downloads. */
  dir: string;
}

/**
 * Registers hooks that launch a sender and `receivers` receivers (separate
 * Chromium processes) and a scratch folder before the file's tests, and close them after.
 * Read the fields inside tests: they are set once the hooks have run.
 */
export function useTransferPeers(receivers = 1): TransferPeers {
  const peers = {} as TransferPeers;
  beforeAll(async () => {
    peers.dir = await scratchDir();
    const browsers = await Promise.all(Array.from({ length: 1 + receivers }, () => launchBrowser()));
    [peers.sender, peers.receiver] = browsers as [TestBrowser, TestBrowser];
    peers.receivers = browsers.slice(1);
  });
  afterAll(async () => {
    await Promise.all([peers.sender, ...(peers.receivers ?? [])].map((b) => b?.close()));
    if (peers.dir) await rm(peers.dir, { recursive: true, force: true });
  });
  return peers;
}

/** Registers hooks that run a signaler (with `env`) for the file's tests. Read `.server` inside tests. */
export function useSignalServer(env: Record<string, string> = {}): { server: RunningServer } {
  const holder = {} as { server: RunningServer };
  beforeAll(async () => {
    holder.server = await startSignalServer(env);
  });
  afterAll(async () => {
    await holder.server?.stop();
  });
  return holder;
}
