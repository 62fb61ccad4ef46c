import { expect, test } from 'vitest';
import { reconnecting, sendingToAny } from '../../web/src/app/sending.ts';
import type { ReceiverStatus } from '../../web/src/share/share-host.ts';
import type { SendState } from '../../web/src/transfer/sender.ts';

const receiver = (state: SendState | undefined, connection: ReceiverStatus['connection'] = 'connected', refused?: ReceiverStatus['refused']): ReceiverStatus => ({
  key: `${state}-${connection}`,
  connection,
  progress: state === undefined ? undefined : { state, deliveredBytes: 1, totalBytes: 2 },
  ...(refused && { refused }),
});

test('the sender keeps the screen on while at least one receiver is being sent to', () => {
  expect(sendingToAny([])).toBe(false);
  expect(sendingToAny([receiver('done'), receiver('sending')])).toBe(true);
  // Nothing goes out: finished, paused, waiting for the connection, not yet accepted, refused.
  expect(sendingToAny([receiver('done'), receiver('paused'), receiver('declined'), receiver('cancelled'), receiver('connecting'), receiver(undefined)])).toBe(false);
  expect(sendingToAny([receiver('reconnecting'), receiver('sending', 'disconnected'), receiver('sending', 'failed')])).toBe(false);
  expect(sendingToAny([receiver('sending', 'connected', 'closed')])).toBe(false);
});

test('a receiver whose connection is down waits, whatever its session last said', () => {
  expect(reconnecting(receiver('sending', 'disconnected'))).toBe(true);
  expect(reconnecting(receiver('reconnecting'))).toBe(true);
  expect(reconnecting(receiver('sending'))).toBe(false);
  expect(reconnecting(receiver('done', 'failed'))).toBe(false);
});
