import type { Peer } from './browser.ts';

/**
 * What WebRTC itself reports about a page's connections (`getStats()`), so tests check the network the way it
 * was used, not the way it was meant to be: which candidates carry the data, and how many bytes crossed.
 */
export interface ConnectionStats {
  /** Candidate types of the selected pair, per connection: `host`, `srflx`, `prflx` or `relay`. */
  selectedPairs: Array<{ local: string; remote: string }>;
  /** Bytes received on all data channels of all connections. */
  dataChannelBytesReceived: number;
}

const REGISTRY = '__droplineTestPeerConnections';

/** From now on, every RTCPeerConnection the peer's pages create is kept where connectionStats() can find it. */
export async function recordPeerConnections(peer: Peer): Promise<void> {
  await peer.addInitScript(() => {
    const created: RTCPeerConnection[] = [];
    Object.defineProperty(window, '__droplineTestPeerConnections', { value: created });
    const Native = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends Native {
      constructor(configuration?: RTCConfiguration) {
        super(configuration);
        created.push(this);
      }
    };
  });
}

/** Reads getStats() of every open connection the page made since it loaded (recordPeerConnections must come first). */
export function connectionStats(peer: Peer): Promise<ConnectionStats> {
  return peer.evaluate(async (registry) => {
    const connections = (window as unknown as Record<string, RTCPeerConnection[] | undefined>)[registry];
    if (!connections) throw new Error('recordPeerConnections() was not called before the page loaded');
    const result = { selectedPairs: [] as Array<{ local: string; remote: string }>, dataChannelBytesReceived: 0 };
    // A closed connection has no stats to give (getStats throws): only the live ones count.
    for (const pc of connections.filter((c) => c.signalingState !== 'closed')) {
      const reports = [...(await pc.getStats()).values()] as Array<Record<string, unknown>>;
      const byId = new Map(reports.map((r) => [r.id as string, r]));
      const selectedId = reports.find((r) => r.type === 'transport')?.selectedCandidatePairId;
      // Firefox marks the pair itself instead of naming it on the transport.
      const pair = selectedId ? byId.get(selectedId as string) : reports.find((r) => r.type === 'candidate-pair' && r.selected === true);
      if (pair) {
        result.selectedPairs.push({
          local: String(byId.get(pair.localCandidateId as string)?.candidateType),
          remote: String(byId.get(pair.remoteCandidateId as string)?.candidateType),
        });
      }
      for (const r of reports) if (r.type === 'data-channel') result.dataChannelBytesReceived += Number(r.bytesReceived ?? 0);
    }
    return result;
  }, REGISTRY);
}
