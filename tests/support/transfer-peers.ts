import { afterAll, beforeAll } from 'vitest';
import { rm } from 'node:fs/promises';
import { launchBrowser, type TestBrowser } from './browser.ts';
import { scratchDir } from './files.ts';

export interface TransferPeers {
  sender: TestBrowser;
  receiver: TestBrowser;
  /** Scratch folder for source files and downloads. */
  dir: string;
}

/**
 * Registers hooks that launch a sender and a receiver (two separate Chromium
 * processes) and a scratch folder before the file's tests, and close them after.
 * Read the fields inside tests: they are set once the hooks have run.
 */
export function useTransferPeers(): TransferPeers {
  const peers = {} as TransferPeers;
  beforeAll(async () => {
    peers.dir = await scratchDir();
    [peers.sender, peers.receiver] = await Promise.all([launchBrowser(), launchBrowser()]);
  });
  afterAll(async () => {
    await Promise.all([peers.sender?.close(), peers.receiver?.close()]);
    if (peers.dir) await rm(peers.dir, { recursive: true, force: true });
  });
  return peers;
}
