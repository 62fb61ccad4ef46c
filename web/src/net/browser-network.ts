import type { ChannelKind, Network, PeerConnection } from './network.ts';
import { wrapDataChannel, type TransferChannel } from '../transfer/channel.ts';
import { connectionFingerprints, sdpFingerprint } from './handshake/fingerprint.ts';
import { PeerLink } from './peer-link.ts';
import { SignalingClient, signalingUrl } from './signaling-client.ts';

/** The labels of the channels a transfer runs on, by what they are for: the receiver tells them apart by it. */
const CHANNEL_LABELS: Record<ChannelKind, string> = { transfer: 'dropline', stripe: 'dropline-stripe', lane: 'dropline-lane' };
const kindOf = (label: string): ChannelKind => (Object.keys(CHANNEL_LABELS) as ChannelKind[]).find((kind) => CHANNEL_LABELS[kind] === label) ?? 'transfer';

const opened = (channel: RTCDataChannel): Promise<void> =>
  channel.readyState === 'open'
    ? Promise.resolve()
    : new Promise((resolve, reject) => {
        channel.addEventListener('open', () => resolve(), { once: true });
        channel.addEventListener('close', () => reject(new Error('the channel closed before it opened')), { once: true });
      });

/** The network of a page: the signaler over a WebSocket to the page's own origin, and WebRTC connections. */
export function browserNetwork(location: Location): Network {
  return {
    signaling: (room, role, events, peerToken) => new SignalingClient(signalingUrl(location), room, role, events, peerToken),
    connect(options, events): PeerConnection {
      const link = new PeerLink({
        ...options,
        onChannel: (channel) => {
          // Wrapped at once, so no message is lost while it opens and the handshake starts.
          const wrapped = wrapDataChannel(channel);
          void opened(channel).then(() => events.channel(wrapped, kindOf(channel.label)), () => undefined);
        },
        onStateChange: (state) => events.state(state),
      });
      return {
        receive: (data) => link.receive(data),
        async openChannel(kind = 'transfer'): Promise<TransferChannel> {
          const channel = link.openChannel(CHANNEL_LABELS[kind]);
          const wrapped = wrapDataChannel(channel);
          await opened(channel);
          return wrapped;
        },
        startsAnew(data) {
          const remote = link.pc.remoteDescription?.sdp;
          if (!('description' in data) || data.description.type !== 'offer' || !remote || !data.description.sdp) return false;
          // A renegotiation or an ICE restart keeps the peer's certificate; a new RTCPeerConnection has another one.
          return sdpFingerprint(data.description.sdp) !== sdpFingerprint(remote);
        },
        roundTripMs: () => link.roundTripMs(),
        fingerprints: () => connectionFingerprints(link.pc),
        get maxMessageSize() {
          return link.pc.sctp?.maxMessageSize;
        },
        get state() {
          return link.pc.connectionState;
        },
        close: () => link.close(),
      };
    },
  };
}
