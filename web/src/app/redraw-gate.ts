/**
 * Decides when progress is worth drawing. Byte counts change with every chunk;
 * redrawing that often costs the CPU the transfer itself needs (measured: about
 * a second of compositor time per 256 MiB on each side). A change of state is drawn at once.
 */
export class RedrawGate {
  #last = -Infinity;

  constructor(
    private readonly intervalMs = 250,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** True when the caller should draw now: `stateChanged`, or the interval has passed since the last draw. */
  due(stateChanged: boolean): boolean {
    const t = this.now();
    if (!stateChanged && t - this.#last < this.intervalMs) return false;
    this.#last = t;
    return true;
  }
}
