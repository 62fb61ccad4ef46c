/** Bound once: a bound function per bucket would cost every socket its own closure. */
const monotonicNow = performance.now.bind(performance);

/**
 * A token bucket: `burst` tokens at most, refilled at `perSecond`. Each frame a
 * socket sends takes one, so short bursts (an offer and its trickled candidates)
 * pass and a steady flood does not.
 */
export class TokenBucket {
  #tokens: number;
  #refilledAt: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = monotonicNow,
  ) {
    this.#tokens = burst;
    this.#refilledAt = now();
  }

  /** Takes one token; false if the bucket is empty. */
  take(): boolean {
    const now = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#refilledAt) / 1000) * this.perSecond);
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
