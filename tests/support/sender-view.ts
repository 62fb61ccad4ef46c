import type { Peer } from './browser.ts';
import { TRANSFER_TIMEOUT_MS } from './transfer-flow.ts';

/** The states of the send view's receiver rows, in order. */
export const receiverStates = (sender: Peer): Promise<Array<string | null>> =>
  sender.evaluate(() => [...document.querySelectorAll('[data-testid="receiver-row"]')].map((row) => row.getAttribute('data-state')), undefined);

/** Waits until the send view lists exactly `states` for its receivers. */
export async function waitForReceivers(sender: Peer, states: string[], timeoutMs = TRANSFER_TIMEOUT_MS): Promise<void> {
  try {
    await sender.waitFor(
      (states) => {
        const shown = [...document.querySelectorAll('[data-testid="receiver-row"]')].map((row) => row.getAttribute('data-state'));
        return shown.length === states.length && shown.every((state, i) => state === states[i]);
      },
      states,
      timeoutMs,
    );
  } catch (error) {
    throw new Error(`receivers did not reach ${states.join(', ')}; shown: ${(await receiverStates(sender)).join(', ')}\n${String(error)}`);
  }
}

/** The text of the send view's first receiver row. */
export const receiverText = (sender: Peer): Promise<string> =>
  sender.evaluate(() => document.querySelector('[data-testid="receiver-row"]')?.textContent?.replace(/\s+/g, ' ').trim() ?? '', undefined);


/** Waits until the send view's newest receiver row (the last one) is in `state`, whatever the rows above it show. */
export async function waitForNewestReceiver(sender: Peer, state: string, timeoutMs = TRANSFER_TIMEOUT_MS): Promise<void> {
  try {
    await sender.waitFor((state) => [...document.querySelectorAll('[data-testid="receiver-row"]')].at(-1)?.getAttribute('data-state') === state, state, timeoutMs);
  } catch (error) {
    throw new Error(`the newest receiver did not reach ${state}; shown: ${(await receiverStates(sender)).join(', ')}\n${String(error)}`);
  }
}
