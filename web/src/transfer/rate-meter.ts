/**
 * A smoothed transfer speed and the time left. An exponentially weighted
 * average over samples, so the figure neither jumps with every chunk nor lags
 * for long after the speed changes.
 */
export class RateMeter {
  #lastBytes = 0;
  #lastTime: number | undefined;
  #rate = 0;

  constructor(
    private readonly now: () => number = () => performance.now(),
    /** Time constant of the average, in ms. */
    private readonly smoothingMs = 2000,
  ) {}

  /** Records the total bytes done so far; returns bytes per second. */
  sample(totalBytes: number): number {
    const t = this.now();
    if (this.#lastTime === undefined) {
      this.#lastTime = t;
      this.#lastBytes = totalBytes;
      return this.#rate;
    }
    const dt = t - this.#lastTime;
    if (dt < 100) return this.#rate;
    const instant = ((totalBytes - this.#lastBytes) * 1000) / dt;
    const weight = 1 - Math.exp(-dt / this.smoothingMs);
    this.#rate = this.#rate === 0 ? instant : this.#rate + weight * (instant - this.#rate);
    this.#lastTime = t;
    this.#lastBytes = totalBytes;
    return this.#rate;
  }

  get bytesPerSecond(): number {
    return this.#rate;
  }

  /** Seconds until `remainingBytes` are done at the current speed; undefined while unknown. */
  secondsLeft(remainingBytes: number): number | undefined {
    return this.#rate > 0 ? remainingBytes / this.#rate : undefined;
  }
}
