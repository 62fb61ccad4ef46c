import type { Peer } from './browser.ts';

/**
 * What a page's connections carried, seen from inside the page: every RTCPeerConnection it made (for
 * getStats()), the bytes and text messages its DataChannels received and sent, and its WebSocket (signaling)
 * frames. Tests check the network the way it was used, not the way it was meant to be.
 */
export interface Traffic {
  /** Bytes that arrived on the page's DataChannels, counted from their message events. */
  dataChannelBytesReceived: number;
  /** Binary messages received on DataChannels. */
  binaryMessagesReceived: number;
  /** Every text message sent or received on a DataChannel, and every signaling frame, in order. */
  texts: string[];
}

/** Candidate types of the selected pair, per open connection: `host`, `srflx`, `prflx` or `relay`. */
export interface ConnectionStats {
  selectedPairs: Array<{ local: string; remote: string }>;
  /** Bytes received on data channels as getStats() reports them, over the open connections. */
  dataChannelBytesReceived: number;
}

const REGISTRY = '__droplineTestTraffic';

/** From now on, the peer's pages record their connections and traffic where the readers below find them (once, however often this is called). */
export async function recordConnections(peer: Peer): Promise<void> {
  await peer.addInitScript(() => {
    if ('__droplineTestTraffic' in window) return;
    const record = { connections: [] as RTCPeerConnection[], bytesReceived: 0, binaryReceived: 0, texts: [] as string[] };
    Object.defineProperty(window, '__droplineTestTraffic', { value: record });
    const watch = (channel: RTCDataChannel): void => {
      channel.addEventListener('message', ({ data }: MessageEvent<string | ArrayBuffer | Blob>) => {
        if (typeof data === 'string') {
          record.bytesReceived += new TextEncoder().encode(data).byteLength;
          record.texts.push(data);
        } else {
          record.bytesReceived += data instanceof Blob ? data.size : data.byteLength;
          record.binaryReceived++;
        }
      });
    };
    const Native = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends Native {
      constructor(configuration?: RTCConfiguration) {
        super(configuration);
        record.connections.push(this);
        this.addEventListener('datachannel', ({ channel }) => watch(channel));
      }
      override createDataChannel(label: string, options?: RTCDataChannelInit): RTCDataChannel {
        const channel = super.createDataChannel(label, options);
        watch(channel);
        return channel;
      }
    };
    const send = RTCDataChannel.prototype.send;
    RTCDataChannel.prototype.send = function (this: RTCDataChannel, data: string | Blob | ArrayBuffer | ArrayBufferView) {
      if (typeof data === 'string') record.texts.push(data);
      (send as (this: RTCDataChannel, data: unknown) => void).call(this, data);
    };
    const NativeSocket = window.WebSocket;
    window.WebSocket = class extends NativeSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        this.addEventListener('message', ({ data }: MessageEvent) => typeof data === 'string' && record.texts.push(data));
      }
      override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
        if (typeof data === 'string') record.texts.push(data);
        super.send(data);
      }
    };
  });
}

/** What the page's connections carried since it loaded (recordConnections must come first). */
export function trafficSeen(peer: Peer): Promise<Traffic> {
  return peer.evaluate((registry) => {
    const record = (window as unknown as Record<string, { bytesReceived: number; binaryReceived: number; texts: string[] } | undefined>)[registry];
    if (!record) throw new Error('recordConnections() was not called before the page loaded');
    return { dataChannelBytesReceived: record.bytesReceived, binaryMessagesReceived: record.binaryReceived, texts: record.texts };
  }, REGISTRY);
}

/** Waits until the page has joined its room `times` times since it loaded (recordConnections must come first). */
export async function waitForJoins(peer: Peer, times: number, timeoutMs: number): Promise<void> {
  try {
    await peer.waitFor(
      ({ registry, times }) => {
        const record = (window as unknown as Record<string, { texts: string[] } | undefined>)[registry];
        return record && record.texts.filter((text) => text.includes('"type":"joined"')).length >= times;
      },
      { registry: REGISTRY, times },
      timeoutMs,
    );
  } catch (error) {
    const joins = (await trafficSeen(peer)).texts.filter((text) => text.includes('"type":"joined"')).length;
    throw new Error(`the page joined its room ${joins} times, not ${times}\n${String(error)}`);
  }
}

/** Reads getStats() of every open connection the page made since it loaded (recordConnections must come first). */
export function connectionStats(peer: Peer): Promise<ConnectionStats> {
  return peer.evaluate(async (registry) => {
    const record = (window as unknown as Record<string, { connections: RTCPeerConnection[] } | undefined>)[registry];
    if (!record) throw new Error('recordConnections() was not called before the page loaded');
    const result = { selectedPairs: [] as Array<{ local: string; remote: string }>, dataChannelBytesReceived: 0 };
    // A closed connection has no stats to give (getStats throws): only the live ones count.
    for (const pc of record.connections.filter((c) => c.signalingState !== 'closed')) {
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
