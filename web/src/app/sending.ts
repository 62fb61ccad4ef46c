import type { ReceiverStatus } from '../share/share-host.ts';

/** A transfer waits while its connection is down, whatever its session last said. */
export const reconnecting = (status: ReceiverStatus): boolean =>
  status.progress?.state === 'reconnecting' || (status.progress?.state === 'sending' && (status.connection === 'disconnected' || status.connection === 'failed'));

/**
 * Whether bytes are going to at least one receiver right now: the sender's screen stays on while they are
 * (ScreenAwake), and may sleep when every receiver is done, paused, waiting to reconnect, or gone.
 */
export const sendingToAny = (receivers: readonly ReceiverStatus[]): boolean =>
  receivers.some((status) => !status.refused && status.progress?.state === 'sending' && !reconnecting(status));
