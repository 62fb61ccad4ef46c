/**
 * Decides when progress is worth drawing. Byte counts change with every chunk;
 * redrawing that often costs the CPU the transfer itself needs (measured: about
 * a second of compositor time per 256 MiB on each side). An urgent change is
 * drawn at once; anything else at most once per interval, and the latest
 * request is always drawn in the end, so a quiet spell never hides a change.
 * Twice a second by default: each frame costs the same core WebRTC runs on, at
 * both ends, and the speed and time left are smoothed over seconds anyway.
 */
export class RedrawGate {
  #last = -Infinity;
  #pending: (() => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly intervalMs = 500,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Draws with `draw` now if `urgent` or the interval has passed; otherwise once the interval is up. */
  request(urgent: boolean, draw: () => void): void {
    const wait = this.#last + this.intervalMs - this.now();
    if (urgent || wait <= 0) {
      this.#run(draw);
      return;
    }
    this.#pending = draw;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      const latest = this.#pending;
      if (latest) this.#run(latest);
    }, wait);
  }

  #run(draw: () => void): void {
    this.#pending = undefined;
    this.#last = this.now();
    draw();
  }
}
