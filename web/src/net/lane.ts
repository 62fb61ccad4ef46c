/**
 * A lane: one more connection between two pages that already share a proven one, negotiated over a channel of
 * that one (labelled `dropline-lane`) instead of through the signaler (docs/protocols.md, "Striping"). Its offer,
 * answer and candidates are the signaler's `SignalData`, one JSON text message each, checked against the same
 * schema and size limit (`parseSignalData`); anything else on the channel closes it, and with it the lane. The
 * lane's own channels authenticate like any other (the handshake binds them to the lane's DTLS fingerprints), so
 * the signals need no trust of their own.
 */
import { parseSignalData, type IceServer } from '../../../signal/protocol/index.ts';
import type { TransferChannel } from '../transfer/channel.ts';
import type { Network, PeerConnection, PeerConnectionEvents } from './network.ts';

export interface LaneOptions {
  iceServers: IceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy | undefined;
  /** The receiver's side is polite, as on the first connection. */
  polite: boolean;
  /** The channel of the proven connection that carries this lane's signals. */
  signals: TransferChannel;
}

/**
 * Connects a lane over `signals`; `onChannel` gets the channels the peer opens on it. The lane lives as long as
 * that channel: close `signals` to close the lane (and the lane's own channels with it). A lane whose connection
 * fails is closed rather than restarted: the transfer's own connection restarts ICE, and a lane's stripe that
 * went quiet would hold its queued frames until it closed.
 */
export function connectLane(network: Network, { signals, ...options }: LaneOptions, onChannel: PeerConnectionEvents['channel']): PeerConnection {
  const lane = network.connect(
    { ...options, sendSignal: (data) => signals.isOpen && signals.send(JSON.stringify(data)) },
    { channel: onChannel, state: (state) => (state === 'failed' || state === 'closed') && signals.close() },
  );
  signals.onMessage((message) => {
    const parsed = typeof message === 'string' ? parseSignalData(message) : undefined;
    if (parsed?.ok) void lane.receive(parsed.frame).catch(() => undefined);
    else signals.close();
  });
  signals.onClose(() => lane.close());
  return lane;
}
