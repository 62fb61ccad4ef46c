import type { Page } from 'playwright-core';

/**
 * An init script for the bench's browsers at a set round trip: it keeps every RTCPeerConnection the page makes
 * (the app's or the raw run's) and, once a second, reads `currentRoundTripTime` of each connected one's selected
 * candidate pair from getStats() into `window.__benchRtt` (seconds), and the most DataChannels it has opened
 * (the peer-connection report's `dataChannelsOpened`) into `window.__benchChannels`, and how many connections it had
 * connected into `window.__benchConnections`. The round trip is what the browsers'
 * ICE consent checks measured over the path the data took, under the run's load: what the bench prints next to a
 * figure, rather than the proxy's setting.
 */
export const ROUND_TRIP_SCRIPT = `
(() => {
  const Native = window.RTCPeerConnection;
  if (!Native) return;
  const connections = [];
  const samples = (window.__benchRtt = []);
  const opened = new Map();
  window.__benchChannels = 0;
  window.__benchConnections = 0;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      connections.push(this);
    }
  };
  setInterval(async () => {
    for (const pc of connections) {
      if (pc.connectionState !== 'connected') continue;
      try {
        const stats = await pc.getStats();
        stats.forEach((report) => {
          if (report.type === 'peer-connection') opened.set(pc, Math.max(opened.get(pc) ?? 0, report.dataChannelsOpened ?? 0));
          if (report.type !== 'transport' || !report.selectedCandidatePairId) return;
          const rtt = stats.get(report.selectedCandidatePairId)?.currentRoundTripTime;
          if (typeof rtt === 'number') samples.push(rtt);
        });
      } catch {}
    }
    window.__benchChannels = [...opened.values()].reduce((sum, n) => sum + n, 0);
    window.__benchConnections = opened.size;
  }, 1000);
})();
`;

/** The round-trip samples (ms) the pages took since they loaded their current document. */
export async function roundTripSamples(...pages: Page[]): Promise<number[]> {
  const all = await Promise.all(pages.map((page) => page.evaluate(() => ((window as unknown as { __benchRtt?: number[] }).__benchRtt ?? []).map((s) => s * 1000))));
  return all.flat();
}

/** The DataChannels the page's connections opened during the run, as its getStats() counted them (once a second). */
export const channelsOpened = (page: Page): Promise<number> =>
  page.evaluate(() => (window as unknown as { __benchChannels?: number }).__benchChannels ?? 0);

/** The page's connections that were connected during the run (seen at one of the once-a-second reads). */
export const connectionsOpened = (page: Page): Promise<number> =>
  page.evaluate(() => (window as unknown as { __benchConnections?: number }).__benchConnections ?? 0);
