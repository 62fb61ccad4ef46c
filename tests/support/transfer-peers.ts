import { afterAll, afterEach, beforeAll } from 'vitest';
import { rm } from 'node:fs/promises';
import { launchAll, type Engine, type Peer } from './browser.ts';
import type { ChromiumPeer } from './chromium.ts';
import { scratchDir } from './files.ts';
import { launchPeer } from './peers.ts';
import { startSignalServer, type RunningServer } from './signal-server.ts';

export interface TransferPeers<S extends Peer = Peer, R extends Peer = Peer> {
  sender: S;
  /** The first receiver. */
  receiver: R;
  /** Every receiver, each its own browser process. */
  receivers: R[];
  /** Scratch folder for source files. */
  dir: string;
  /** Console or page errors the current test provokes on purpose (a refused peer, say); any other error fails it. */
  expectErrors(peer: Peer, pattern: RegExp): void;
}

/**
 * Registers hooks that launch a sender and receivers (separate browser processes, Chromium unless named) and a
 * scratch folder before the file's tests, and close them after. After each test, an unexpected console or page
 * error on any peer fails that test, and a click that started more or fewer downloads than one does too.
 * Read the fields inside tests: they are set once the hooks have run.
 */
export function useTransferPeers(receivers?: number): TransferPeers<ChromiumPeer, ChromiumPeer>;
export function useTransferPeers(engines: { sender: Engine; receivers: Engine[] }): TransferPeers;
export function useTransferPeers(shape: number | { sender: Engine; receivers: Engine[] } = 1): TransferPeers {
  const engines = typeof shape === 'number' ? { sender: 'chromium' as const, receivers: Array<Engine>(shape).fill('chromium') } : shape;
  const expected = new Map<Peer, RegExp[]>();
  const peers = {
    expectErrors: (peer: Peer, pattern: RegExp) => void expected.set(peer, [...(expected.get(peer) ?? []), pattern]),
  } as TransferPeers;
  const all = (): Peer[] => [peers.sender, ...(peers.receivers ?? [])].filter(Boolean);
  beforeAll(async () => {
    peers.dir = await scratchDir();
    const browsers = await launchAll([engines.sender, ...engines.receivers].map((engine) => () => launchPeer(engine)));
    [peers.sender, peers.receiver] = browsers as [Peer, Peer];
    peers.receivers = browsers.slice(1);
  });
  afterEach(() => {
    const problems: string[] = [];
    for (const [index, peer] of all().entries()) {
      const who = index === 0 ? `sender (${peer.engine})` : `receiver ${index} (${peer.engine})`;
      const allowed = expected.get(peer) ?? [];
      for (const error of peer.errors.splice(0)) if (!allowed.some((p) => p.test(error))) problems.push(`${who}: ${error}`);
      const { started, clicked } = peer.downloadCounts;
      if (started !== clicked) problems.push(`${who}: ${clicked} clicks to save started ${started} downloads`);
    }
    expected.clear();
    if (problems.length > 0) throw new Error(`unexpected console or page errors:\n${problems.join('\n')}`);
  });
  afterAll(async () => {
    await Promise.all(all().map((b) => b.close()));
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
