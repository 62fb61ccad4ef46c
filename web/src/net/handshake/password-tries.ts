import type { PasswordTries } from './handshake.ts';

/** Wrong passwords one receiver may try before the sender refuses it (docs/security.md, "Password"). */
export const TRIES_PER_RECEIVER = 5;
/**
 * Wrong passwords all receivers of one share may try together: a guesser who comes back under new peer ids
 * gets no more than this many online guesses before the share stops taking passwords at all.
 */
export const TRIES_PER_SHARE = 25;

/**
 * A sender's count of password tries, per receiver and for the whole share. A try is taken when a receiver's
 * CPace share arrives, before the sender answers: a guesser who learns the answer and leaves without a proof
 * has still used it. A try that proves the right password is given back.
 */
export class ShareTries {
  #shareLeft = TRIES_PER_SHARE;
  readonly #receiverLeft = new Map<string, number>();

  /** The tries of the receiver known as `receiver` (its peer id, which it keeps across reconnects). */
  of(receiver: string): PasswordTries {
    const receiverLeft = (): number => this.#receiverLeft.get(receiver) ?? TRIES_PER_RECEIVER;
    const shareLeft = (): number => this.#shareLeft;
    const add = (n: number): void => {
      this.#receiverLeft.set(receiver, receiverLeft() + n);
      this.#shareLeft += n;
    };
    return {
      take: () => {
        if (receiverLeft() <= 0 || shareLeft() <= 0) return false;
        add(-1);
        return true;
      },
      giveBack: () => add(1),
      get left() {
        return Math.min(receiverLeft(), shareLeft());
      },
    };
  }
}
