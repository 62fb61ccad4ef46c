import type { Network, PeerConnection } from './network.ts';
import { wrapDataChannel, type TransferChannel } from '../transfer/channel.ts';
import { connectionFingerprints } from './handshake/fingerprint.ts';
import { PeerLink } from './peer-link.ts';
import { SignalingClient, signalingUrl } from './signaling-client.ts';

/** The label of the channels a transfer runs on. */
const CHANNEL_LABEL = 'dropline';

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
    signaling: (room, role, events) => new SignalingClient(signalingUrl(location), room, role, events),
    connect(options, events): PeerConnection {
      const link = new PeerLink({
        ...options,
        onChannel: (channel) => {
          // Wrapped at once, so no message is lost while it opens and the handshake starts.
          const wrapped = wrapDataChannel(channel);
          void opened(channel).then(() => events.channel(wrapped), () => undefined);
        },
        onStateChange: (state) => events.state(state),
      });
      return {
        receive: (data) => link.receive(data),
        async openChannel(): Promise<TransferChannel> {
          const channel = link.openChannel(CHANNEL_LABEL);
          const wrapped = wrapDataChannel(channel);
          await opened(channel);
          return wrapped;
        },
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
